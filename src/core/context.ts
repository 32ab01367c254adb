/**
 * The per-request context, one of the two dependency shapes (the other is the wired services):
 * who is acting, for whom, in which request. Every domain write takes one, so its audit rows can
 * say so. It is generic in the tenant's row, so the audit log (below src/tenants) takes any
 * context with a tenant id; src/tenants/types.ts names the usual one, `Ctx`.
 */

export type ActorType = 'api_key' | 'publishable_key' | 'restricted_key' | 'service_token' | 'checkout_session' | 'dashboard' | 'admin' | 'system';

/** Who made a change, as audit rows record it: the credential's kind and id. */
export interface Actor {
  type: ActorType;
  id: string | null;
}

/** An operator's request, which acts for no one tenant: who, and which request. */
export interface OperatorContext {
  actor: Actor;
  requestId: string | null;
}

/** A request made for a tenant: the tenant's row (or as much of it as the callee needs), who, which request. */
export interface RequestContext<T extends { id: string } = { id: string }> extends OperatorContext {
  tenant: T;
}

import type { TenantServices } from '../tenants/services.ts';
import type { WebhookFace } from './faces.ts';

/** What webhooks, the outbox and the capabilities above them need of the wired services: the tenants' slice, and the gateway faces' webhook formats. */
export interface WebhookServices extends TenantServices {
  /** The gateway faces whose webhook endpoints this Sandpay serves, besides its own (src/contract/faces.ts). */
  webhookFaces: readonly WebhookFace[];
}

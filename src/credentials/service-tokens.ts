import { decodeJwt, decodeProtectedHeader, errors, importJWK, jwtVerify, type JWTPayload } from 'jose';
import { DomainError, forbidden, unauthenticated } from '../core/errors.ts';
import type { Queryable } from '../db/pool.ts';
import { isId } from '../ids.ts';
import type { DbTenant } from '../tenants/tenants.ts';
import { SIGNING_ALGS, type VerifyingKey } from '../core/public-keys.ts';
import { parseScope, type Permissions } from './permissions.ts';
import { tenantFromJson } from '../tenants/types.ts';
import { readThrough, type TenantCaches } from '../tenants/caches.ts';
import { recordJti, tenantWithJwtKey } from './store.ts';

/**
 * Service tokens: short-lived JWTs a tenant's backend signs with its own private key, verified
 * with the public key it registered (jose does the cryptography). Claims: `iss` the tenant id (or
 * "admin" for an operator token), `aud` this Sandpay's URL, `exp` at most 15 minutes ahead,
 * `iat`, `jti` (single use) and `scope` ("payments:write refunds:read").
 */
export const MAX_TOKEN_LIFETIME_SECONDS = 15 * 60;
/** How far the signer's clock may be off ours, either way. */
export const CLOCK_SKEW_SECONDS = 30;
export const ADMIN_ISSUER = 'admin';

/** Three base64url parts; API keys have no dots. An `alg: none` token has an empty third part. */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
export const looksLikeJwt = (token: string) => JWT_SHAPE.test(token);

const refuse = (code: string, message: string) => unauthenticated(code, message);

/** The header and claims before any check, to find the key; nothing is trusted until jwtVerify. */
function peek(token: string) {
  try {
    return { header: decodeProtectedHeader(token), claims: decodeJwt(token) };
  } catch {
    throw refuse('token_malformed', 'The bearer token is not a well-formed JWT');
  }
}

function checkAlg(alg: unknown): void {
  if (typeof alg !== 'string' || !(SIGNING_ALGS as readonly string[]).includes(alg)) {
    throw refuse('token_algorithm_not_allowed', `alg ${JSON.stringify(alg ?? null)} is never accepted: sign with the asymmetric key you registered (RS256, ES256, …)`);
  }
}

/** jose's errors in the API's words: each refusal says which check failed. */
function tokenError(err: unknown, audience: string): DomainError {
  if (err instanceof errors.JWTExpired) {
    return refuse('token_expired', err.claim === 'iat' ? 'The token was issued (iat) more than 15 minutes ago' : 'The token has expired (exp is past)');
  }
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.reason === 'missing') return refuse('token_claim_missing', `The token has no "${err.claim}" claim (exp, iat, jti, iss, aud and scope are required)`);
    if (err.claim === 'aud') return refuse('token_audience_invalid', `aud must be this Sandpay's URL, ${audience}`);
    if (err.claim === 'iss') return refuse('token_issuer_invalid', 'iss must be your tenant id (ten_…)');
    if (err.claim === 'nbf' || err.claim === 'iat') return refuse('token_not_yet_valid', `The token is not valid yet (${err.claim} is in the future beyond ${CLOCK_SKEW_SECONDS} s of clock skew)`);
    return refuse('token_claim_invalid', `The "${err.claim}" claim is not valid`);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return refuse('token_signature_invalid', 'The signature does not match the registered key: the token was changed, or signed with another key');
  if (err instanceof errors.JOSEAlgNotAllowed) return refuse('token_algorithm_not_allowed', 'The token is signed with an algorithm its key does not use');
  if (err instanceof errors.JOSEError) return refuse('token_malformed', 'The bearer token is not a well-formed JWT');
  throw err;
}

type ImportedKey = Awaited<ReturnType<typeof importJWK>>;

/**
 * The key, imported (the costly part of a verification), through the process's auth cache: keyed
 * by its own content, so never stale; revocation is checked in SQL.
 */
async function importKey(caches: TenantCaches | undefined, issuer: string, key: VerifyingKey): Promise<ImportedKey> {
  const imported = await readThrough<ImportedKey>(caches, 'auth', `jwk:${key.alg}:${JSON.stringify(key.jwk)}`, async () => ({
    tenantId: issuer,
    value: await importJWK(key.jwk as Parameters<typeof importJWK>[0], key.alg),
  }));
  return imported!;
}

async function verify(caches: TenantCaches | undefined, token: string, key: VerifyingKey, issuer: string, audience: string): Promise<JWTPayload & { exp: number; jti: string }> {
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(token, await importKey(caches, issuer, key), {
      algorithms: [key.alg],
      issuer,
      // The URL with or without its trailing slash.
      audience: [audience, `${audience}/`],
      clockTolerance: CLOCK_SKEW_SECONDS,
      maxTokenAge: MAX_TOKEN_LIFETIME_SECONDS,
      requiredClaims: ['exp', 'iat', 'jti', 'scope'],
    }));
  } catch (err) {
    throw tokenError(err, audience);
  }
  if (claims.exp! - Date.now() / 1000 > MAX_TOKEN_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS) {
    throw refuse('token_lifetime_too_long', `exp may be at most ${MAX_TOKEN_LIFETIME_SECONDS} seconds (15 minutes) ahead`);
  }
  if (typeof claims.jti !== 'string' || claims.jti.length === 0 || claims.jti.length > 200) throw refuse('token_claim_invalid', 'jti must be a string of 1 to 200 characters');
  return claims as JWTPayload & { exp: number; jti: string };
}

function permissionsOf(claims: JWTPayload): Permissions {
  const scope = typeof claims.scope === 'string' ? parseScope(claims.scope) : { ok: false as const, bad: String(claims.scope) };
  if (!scope.ok) throw refuse('token_scope_invalid', `scope must be space-separated resource:level items such as "payments:write refunds:read"; ${JSON.stringify(scope.bad)} is not one`);
  return scope.permissions;
}

/**
 * Single use: the first request with a jti records it until the token expires; a second one is
 * refused. A jti may come back only after the token that used it has expired (and so would be
 * refused for its exp anyway), whether or not the cleanup job has pruned it yet.
 */
async function claimJti(db: Queryable, issuer: string, jti: string, exp: number): Promise<void> {
  if (!(await recordJti(db, issuer, jti, exp + CLOCK_SKEW_SECONDS))) throw refuse('token_replayed', 'This token (its jti) has been used already: sign a new token, with a new jti, for each request');
}

function knownAudience(audience: string | null): string {
  if (!audience) throw refuse('token_audience_invalid', "This Sandpay does not know its own URL yet (set PUBLIC_URL)");
  return audience;
}

export interface TenantToken {
  tenant: DbTenant;
  /** `kid:jti`: which key signed it and which token it was. */
  credentialId: string;
  permissions: Permissions;
}

/** A tenant's service token: its key found by (iss, kid) in one query, then jose verifies. */
export async function verifyTenantToken(db: Queryable, caches: TenantCaches | undefined, token: string, audience: string | null): Promise<TenantToken> {
  const { header, claims } = peek(token);
  checkAlg(header.alg);
  if (typeof header.kid !== 'string') throw refuse('token_kid_missing', 'The token header needs the kid of a key you registered (POST /api/v1/auth/jwt-keys)');
  if (typeof claims.iss !== 'string' || !isId('tenant', claims.iss)) throw refuse('token_issuer_invalid', 'iss must be your tenant id (ten_…)');
  const aud = knownAudience(audience);
  const row = await tenantWithJwtKey(db, claims.iss, header.kid);
  if (!row) throw refuse('token_issuer_invalid', 'iss names no tenant: it must be your tenant id (ten_…)');
  if (!row.key) throw refuse('token_kid_unknown', `No key with kid ${JSON.stringify(header.kid)} is registered for this tenant (or it was deleted)`);
  if (row.key.alg !== header.alg) throw refuse('token_algorithm_not_allowed', `The key ${JSON.stringify(header.kid)} signs ${row.key.alg}, not ${String(header.alg)}`);
  const verified = await verify(caches, token, { kid: row.key.kid, alg: row.key.alg, jwk: row.key.jwk }, claims.iss, aud);
  const permissions = permissionsOf(verified);
  await claimJti(db, claims.iss, verified.jti, verified.exp);
  const tenant = tenantFromJson(row.tenant);
  return { tenant, credentialId: `${header.kid}:${verified.jti}`, permissions };
}

/** The issuer a token claims, unverified: which verification it gets (a tenant's or the operator's). */
export function claimedIssuer(token: string): string | undefined {
  const iss = peek(token).claims.iss;
  return typeof iss === 'string' ? iss : undefined;
}

/**
 * An operator's service token, verified with ADMIN_JWT_PUBLIC_KEY: `iss` "admin" and "admin" in
 * its scope. Answers `kid:jti` for the audit trail.
 */
export async function verifyAdminToken(db: Queryable, caches: TenantCaches | undefined, token: string, keys: readonly VerifyingKey[], audience: string | null): Promise<string> {
  const { header } = peek(token);
  checkAlg(header.alg);
  const key = keys.find((k) => k.kid !== null && k.kid === header.kid) ?? (keys.length === 1 && keys[0]!.kid === null ? keys[0] : undefined);
  if (!key) throw refuse('token_kid_unknown', 'No operator key (ADMIN_JWT_PUBLIC_KEY) has this kid');
  if (key.alg !== header.alg) throw refuse('token_algorithm_not_allowed', `The operator key signs ${key.alg}, not ${String(header.alg)}`);
  const verified = await verify(caches, token, key, ADMIN_ISSUER, knownAudience(audience));
  if (typeof verified.scope !== 'string' || !verified.scope.split(' ').includes('admin')) {
    throw forbidden('admin_scope_required', 'An operator token needs "admin" in its scope');
  }
  await claimJti(db, ADMIN_ISSUER, verified.jti, verified.exp);
  return `${header.kid ?? 'admin'}:${verified.jti}`;
}

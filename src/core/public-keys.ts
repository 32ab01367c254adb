import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { badRequest } from './errors.ts';

/**
 * Public keys that verify service tokens. A tenant registers its own (PEM or JWKS) under a kid;
 * the operator's come from ADMIN_JWT_PUBLIC_KEY. The algorithm is decided here, from the key,
 * once: a token never gets to choose it (no `none`, no HS256 keyed with the public key).
 */
export const SIGNING_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

const RSA_ALGS: readonly string[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
const CURVE_ALG: Record<string, SigningAlg> = { prime256v1: 'ES256', secp384r1: 'ES384' };

export interface VerifyingKey {
  kid: string | null;
  alg: SigningAlg;
  /** The public key as a JWK, without private members. */
  jwk: JsonWebKey;
}

/** Which algorithm a public key signs with; `wanted` is a JWK's own `alg`, when it names one. */
function algOf(key: KeyObject, wanted: unknown, param: string): SigningAlg {
  let alg: SigningAlg | undefined;
  if (key.asymmetricKeyType === 'rsa') {
    if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) throw badRequest('key_too_weak', 'RSA keys must have at least 2048 bits', param);
    alg = typeof wanted === 'string' && RSA_ALGS.includes(wanted) ? (wanted as SigningAlg) : 'RS256';
  } else if (key.asymmetricKeyType === 'ec') {
    alg = CURVE_ALG[key.asymmetricKeyDetails?.namedCurve ?? ''];
  } else if (key.asymmetricKeyType === 'ed25519') {
    alg = 'EdDSA';
  }
  if (!alg) throw badRequest('key_type_unsupported', 'Use an RSA (2048+ bits), EC P-256/P-384 or Ed25519 public key', param);
  if (typeof wanted === 'string' && wanted !== alg) throw badRequest('key_type_unsupported', `This key cannot sign ${wanted}; it signs ${alg}`, param);
  return alg;
}

/** A public key from PEM text. A private key is refused rather than quietly reduced to its public half. */
export function keyFromPem(pem: string, param = 'public_key'): Omit<VerifyingKey, 'kid'> {
  if (/PRIVATE KEY/.test(pem)) throw badRequest('private_key_sent', 'That is a private key: send only the public key (Sandpay never needs your private key)', param);
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw badRequest('public_key_invalid', 'public_key must be a PEM public key ("-----BEGIN PUBLIC KEY-----") or certificate', param);
  }
  return { alg: algOf(key, undefined, param), jwk: key.export({ format: 'jwk' }) };
}

/** The key of a JWKS document whose kid matches (or its only key, when that has no kid). */
export function keyFromJwks(jwks: { keys: Array<Record<string, unknown>> }, kid: string | undefined, param = 'jwks'): VerifyingKey {
  const found = kid !== undefined ? jwks.keys.find((k) => k.kid === kid) ?? (jwks.keys.length === 1 && jwks.keys[0]!.kid === undefined ? jwks.keys[0] : undefined) : undefined;
  if (!found) throw badRequest('kid_not_in_jwks', `The JWKS has no key with kid ${JSON.stringify(kid)}`, param);
  if ('d' in found || found.kty === 'oct') {
    throw badRequest('private_key_sent', 'That JWK holds private or symmetric key material: send only the public key', param);
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: found as JsonWebKey, format: 'jwk' });
  } catch {
    throw badRequest('public_key_invalid', 'The JWK is not a valid public key', param);
  }
  return { kid: kid ?? null, alg: algOf(key, found.alg, param), jwk: key.export({ format: 'jwk' }) };
}

/** ADMIN_JWT_PUBLIC_KEY: a PEM public key, or a JWKS document (JSON). Throws a plain Error naming the problem. */
export function parseAdminKeys(value: string): VerifyingKey[] {
  const text = value.trim().replace(/\\n/g, '\n');
  try {
    if (text.startsWith('{')) {
      const doc = JSON.parse(text) as { keys?: Array<Record<string, unknown>> };
      if (!Array.isArray(doc.keys) || doc.keys.length === 0) throw new Error('a JWKS document needs a non-empty "keys" array');
      return doc.keys.map((k) => keyFromJwks({ keys: [k] }, typeof k.kid === 'string' ? k.kid : undefined, 'ADMIN_JWT_PUBLIC_KEY'));
    }
    return [{ kid: null, ...keyFromPem(text, 'ADMIN_JWT_PUBLIC_KEY') }];
  } catch (err) {
    throw new Error(`must be a PEM public key or a JWKS document: ${(err as Error).message}`);
  }
}

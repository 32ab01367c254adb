import { createHmac } from 'node:crypto';

/** The Standard Webhooks HMAC key: the base64 part of "whsec_...", decoded. */
export function secretKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

/** Standard Webhooks: "v1," + base64 HMAC-SHA256 of "{id}.{timestamp}.{body}". */
export function signStandard(secret: string, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', secretKey(secret)).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/**
 * The simple scheme: "sha256=" + hex HMAC-SHA256 of the raw body, keyed with the whole secret
 * string ("whsec_..."), so `openssl dgst -sha256 -hmac "$SECRET"` reproduces it.
 */
export function signSimple(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export type SignedHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
  'x-sandpay-signature': string;
};

export function signatureHeaders(secret: string, eventId: string, body: string, timestamp = Math.floor(Date.now() / 1000)): SignedHeaders {
  return {
    'webhook-id': eventId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signStandard(secret, eventId, timestamp, body),
    'x-sandpay-signature': signSimple(secret, body),
  };
}

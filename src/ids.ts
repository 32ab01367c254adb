import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Uniform base62 string from the CSPRNG (rejection sampling avoids modulo bias). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248) out += ALPHABET[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

export const ID_PREFIXES = {
  tenant: 'ten',
  order: 'order',
  payment: 'pay',
  refund: 'rfnd',
  event: 'evt',
  webhookEndpoint: 'we',
  webhookDelivery: 'whd',
  fraudRule: 'fr',
  request: 'req',
  apiKey: 'key',
  checkoutSession: 'cs',
  // Razorpay's own objects (src/faces/razorpay): its prefixes.
  rzpCustomer: 'cust',
  rzpToken: 'token',
  rzpItem: 'item',
  rzpPaymentLink: 'plink',
  rzpInvoice: 'inv',
  rzpQrCode: 'qr',
  rzpVirtualAccount: 'va',
  rzpDispute: 'disp',
  rzpFundAccount: 'fa',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

/** Public ids: a type prefix and 20 base62 characters (~119 bits), so they cannot be guessed. */
export function newId(kind: IdKind): string {
  return `${ID_PREFIXES[kind]}_${randomBase62(20)}`;
}

/** Accepts exactly what newId produces for a kind; anything else is "not found" without a query. */
export function isId(kind: IdKind, value: string): boolean {
  return new RegExp(`^${ID_PREFIXES[kind]}_[0-9A-Za-z]{20}$`).test(value);
}

export function sha256Hex(value: string | Buffer): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Constant-time comparison of equal-length digests, so neither length nor prefix of a secret leaks. */
export function tokensEqual(a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(sha256Hex(a), 'hex'), Buffer.from(sha256Hex(b), 'hex'));
}

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
  auditVerification: 'aver',
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

/**
 * Characters after the prefix of a Razorpay id (`pay_L0nSsccovt6zyp`: 14 base62, ~83 bits, still
 * unguessable). The Razorpay face shows the ledger's orders, payments and refunds under their own
 * ids, so those are made this long, and so are the objects only that face has (customers, links…).
 */
export const RAZORPAY_ID_LENGTH = 14;

/** The kinds whose ids the Razorpay face shows as they are (order_, pay_, rfnd_), and its own objects' (cust_, plink_…). */
const RAZORPAY_SHAPED: ReadonlySet<IdKind> = new Set<IdKind>([
  'order', 'payment', 'refund',
  'rzpCustomer', 'rzpToken', 'rzpItem', 'rzpPaymentLink', 'rzpInvoice', 'rzpQrCode', 'rzpVirtualAccount', 'rzpDispute', 'rzpFundAccount',
]);

/** How many base62 characters follow a kind's prefix: 14 for the Razorpay-shaped ledger ids, 20 for the rest. */
export const idLength = (kind: IdKind): number => (RAZORPAY_SHAPED.has(kind) ? RAZORPAY_ID_LENGTH : 20);

/**
 * What follows a kind's prefix, as a regex source. A Razorpay-shaped kind also takes the 20
 * characters its ids had before they were 14, so objects made then stay reachable.
 */
export const idBodyPattern = (kind: IdKind): string => (RAZORPAY_SHAPED.has(kind) ? '[0-9A-Za-z]{14}(?:[0-9A-Za-z]{6})?' : '[0-9A-Za-z]{20}');

/** Public ids: a type prefix and 20 base62 characters (~119 bits; 14 for orders, payments and refunds), so they cannot be guessed. */
export function newId(kind: IdKind): string {
  return `${ID_PREFIXES[kind]}_${randomBase62(idLength(kind))}`;
}

/** Accepts exactly what newId produces (or produced) for a kind; anything else is "not found" without a query. */
export function isId(kind: IdKind, value: string): boolean {
  return new RegExp(`^${ID_PREFIXES[kind]}_${idBodyPattern(kind)}$`).test(value);
}

export function sha256Hex(value: string | Buffer): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Constant-time comparison of equal-length digests, so neither length nor prefix of a secret leaks. */
export function tokensEqual(a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(sha256Hex(a), 'hex'), Buffer.from(sha256Hex(b), 'hex'));
}

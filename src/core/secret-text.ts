/**
 * Secrets inside free text (a URL, a header, a log line, a request body): Sandpay's keys
 * (sk_/rk_/pk_ test and live: a publishable key is public by design, but masking it costs nothing
 * and a masked one is still recognisable), webhook secrets, admin tokens, Razorpay key ids and
 * `key_id:key_secret` pairs, JWTs (service tokens, dashboard sessions), private keys, and card
 * numbers (12–19 digits passing Luhn, grouped by up to three of spaces, dots, dashes, underscores,
 * slashes, commas, plus signs or URL-encoded spaces between digits).
 * One definition for the logger and the request log (src/core/redact.ts applies it).
 */

const SECRET_VALUE = /\b(?:sk|pk|rk)_(?:test|live)_[0-9A-Za-z]+|\bwhsec_[0-9A-Za-z+/=]+|\badmin_[0-9A-Za-z]{8,}|\brzp_(?:test|live)_[0-9A-Za-z]+/gi;
/** A Razorpay pair as HTTP Basic carries it: the key_secret (24 base62 characters, no prefix) follows the key_id. */
const RAZORPAY_PAIR = /\b(rzp_(?:test|live)_[0-9A-Za-z]+):([0-9A-Za-z]{8,})/gi;
/** header.payload.signature, each base64url; a JSON header always starts `{"`, base64url `eyJ`. The signature may be empty (alg none). */
const JWT = /\beyJ[0-9A-Za-z_-]{2,}\.[0-9A-Za-z_-]{2,}\.[0-9A-Za-z_-]*/g;
const DIGIT_RUN = /(?<!\d)\d(?:[\s._,/+-]{0,3}\d){11,18}(?!\d)/g;
const DIGIT_GROUP = /\d+/g;
/** A private key pasted where a public one belongs. */
const PRIVATE_PEM = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g;

/** The Luhn checksum of a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1 && (d *= 2) > 9) d -= 9;
    sum += d;
  }
  return sum % 10 === 0;
}

const last4 = (s: string) => s.replace(/[^0-9A-Za-z]/g, '').slice(-4);

/** `sk_test_…wxyz`, `rzp_test_…wxyz`, `whsec_…wxyz`: the prefix names the kind of secret, the last four tell two apart. */
const maskKey = (m: string) => `${/^[a-z]+_(?:(?:test|live)_)?/i.exec(m)![0]}…${last4(m)}`;

/**
 * A run of 12–19 digits masked where it holds a card number: the whole run, else the longest span
 * of whole digit groups that passes Luhn ("order 1 4242 4242 4242 4242", "4242 4242 4242 4242 123"
 * with the cvc after it).
 */
function maskDigitRun(run: string, plain: string): string {
  if (luhnValid(plain.replace(/\D/g, ''))) return `••••${last4(plain)}`;
  const groups = [...plain.matchAll(DIGIT_GROUP)].map((g) => ({ start: g.index, end: g.index + g[0].length, digits: g[0] }));
  let best: { start: number; end: number; length: number } | null = null;
  for (let i = 0; i < groups.length; i++) {
    let digits = '';
    for (let j = i; j < groups.length; j++) {
      digits += groups[j]!.digits;
      if (digits.length > 19) break;
      if (digits.length >= 12 && (best === null || digits.length > best.length) && luhnValid(digits)) {
        best = { start: groups[i]!.start, end: groups[j]!.end, length: digits.length };
      }
    }
  }
  if (best === null) return run;
  return `${run.slice(0, best.start)}••••${last4(plain.slice(best.start, best.end))}${run.slice(best.end)}`;
}

/**
 * Every card number in the text masked. Runs are found where a URL-encoded space (%20) reads as
 * the space it is (three spaces keep every index, so what is masked is cut from the text itself).
 */
function maskCards(text: string): string {
  const plain = text.replaceAll('%20', '   ');
  let out = '';
  let done = 0;
  for (const m of plain.matchAll(DIGIT_RUN)) {
    const end = m.index + m[0].length;
    out += text.slice(done, m.index) + maskDigitRun(text.slice(m.index, end), m[0]);
    done = end;
  }
  return done === 0 ? text : out + text.slice(done);
}

/** The text with every secret and card number masked, keeping a prefix and the last four characters to debug with. */
export function maskText(text: string): string {
  const masked = text
    .replace(PRIVATE_PEM, '[REDACTED PRIVATE KEY]')
    .replace(RAZORPAY_PAIR, (_m, id: string, secret: string) => `${maskKey(id)}:…${last4(secret)}`)
    .replace(JWT, (m) => `eyJ…${last4(m)}`)
    .replace(SECRET_VALUE, maskKey);
  return maskCards(masked);
}

/** Whether the text holds a secret or a card number at all. */
export const looksSecret = (text: string) => maskText(text) !== text;

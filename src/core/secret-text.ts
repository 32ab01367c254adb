/**
 * Secrets inside free text (a URL, a log line, a request body): Sandpay's keys and webhook
 * secrets, the gateway keys people paste by mistake, and card numbers (12–19 digits, optionally
 * grouped, passing Luhn). One definition for the logger and the request log.
 */

const SECRET_VALUE = /\b(?:sk|pk|rk)_(?:test|live)_[0-9A-Za-z]+|\bwhsec_[0-9A-Za-z+/=]+|\badmin_[0-9A-Za-z]{8,}|\brzp_(?:test|live)_[0-9A-Za-z]+/gi;
const DIGIT_RUN = /(?<!\d)\d(?:[ -]?\d){11,18}(?!\d)/g;
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

/** The text with every secret and card number masked, keeping a prefix and the last four characters to debug with. */
export function maskText(text: string): string {
  return text
    .replace(PRIVATE_PEM, '[REDACTED PRIVATE KEY]')
    .replace(SECRET_VALUE, (m) => `${m.slice(0, m.indexOf('_', 3) + 1 || 6)}…${last4(m)}`)
    .replace(DIGIT_RUN, (m) => (luhnValid(m.replace(/[ -]/g, '')) ? `••••${last4(m)}` : m));
}

/** Whether the text holds a secret or a card number at all. */
export const looksSecret = (text: string) => maskText(text) !== text;

/**
 * Secrets inside free text (a URL, a header, a log line, a request body): Sandpay's keys
 * (sk_/rk_/pk_ test and live: a publishable key is public by design, but masking it costs nothing
 * and a masked one is still recognisable), webhook secrets, admin tokens, Razorpay key ids and
 * `key_id:key_secret` pairs, JWTs (service tokens, dashboard sessions), private keys, and card
 * numbers (12–19 digits passing Luhn, grouped by up to three of spaces, dots, dashes, underscores,
 * slashes, commas, plus signs or URL-encoded spaces between digits).
 * One definition for the logger and the request log (src/core/redact.ts applies it).
 */

// Anchored on "no letter or digit before" rather than \b: `req_sk_test_…` or `tok_eyJ…` still hold a secret.
const SECRET_VALUE = /(?<![0-9A-Za-z])(?:(?:sk|pk|rk)_(?:test|live)_[0-9A-Za-z]+|whsec_[0-9A-Za-z+/=]+|admin_[0-9A-Za-z]{8,}|rzp_(?:test|live)_[0-9A-Za-z]+)/gi;
/** A Razorpay pair as HTTP Basic carries it: the key_secret (24 base62 characters, no prefix) follows the key_id. */
const RAZORPAY_PAIR = /(?<![0-9A-Za-z])(rzp_(?:test|live)_[0-9A-Za-z]+):([0-9A-Za-z]{8,})/gi;
/** header.payload.signature, each base64url; a JSON header always starts `{"`, base64url `eyJ`. The signature may be empty (alg none). */
const JWT = /(?<![0-9A-Za-z])eyJ[0-9A-Za-z_-]{2,}\.[0-9A-Za-z_-]{2,}\.[0-9A-Za-z_-]*/g;
/** A run of digit groups (any length) holding at least 12 digits; the cards in it are found by maskDigitRun. */
const DIGIT_RUN = /(?<!\d)\d(?:[\s._,/+-]{0,3}\d){11,}(?!\d)/g;
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

/** The last four letters or digits: what a mask keeps to tell two secrets apart. */
export const last4 = (s: string) => s.replace(/[^0-9A-Za-z]/g, '').slice(-4);

/** `sk_test_…wxyz`, `rzp_test_…wxyz`, `whsec_…wxyz`: the prefix names the kind of secret, the last four tell two apart. */
const maskKey = (m: string) => `${/^[a-z]+_(?:(?:test|live)_)?/i.exec(m)![0]}…${last4(m)}`;

/**
 * The card numbers in a run of digit groups, masked. Any span of whole groups with 12–19 digits
 * that passes Luhn may be a card, and which one is cannot be told ("ref 1234 5678 4242 4242 4242
 * 4242" holds two such spans), so every digit of every such span is masked, a card's last four
 * shown. A single group of more than 19 digits is searched the same way at every offset. `plain`
 * is the run as read (a URL-encoded space as three spaces); what is masked is cut from `run`.
 */
function maskDigitRun(run: string, plain: string): string {
  const groups = [...plain.matchAll(DIGIT_GROUP)].map((g) => ({ start: g.index, end: g.index + g[0].length, digits: g[0] }));
  const luhn = luhnWindows(groups.map((g) => g.digits).join(''));
  const spans: Array<{ start: number; end: number }> = [];
  const add = (start: number, end: number) => {
    const last = spans.at(-1);
    if (last && start <= last.end) last.end = Math.max(last.end, end);
    else spans.push({ start, end });
  };
  let offset = 0; // where group i's digits start in the joined digits
  for (let i = 0; i < groups.length; offset += groups[i]!.digits.length, i++) {
    const first = groups[i]!;
    if (first.digits.length > 19) {
      // Too long for one card: one may sit inside it, at any offset.
      for (let s = 0; first.digits.length <= 64 && s + 12 <= first.digits.length; s++) {
        for (let length = 12; length <= 19 && s + length <= first.digits.length; length++) {
          if (luhn(offset + s, offset + s + length)) add(first.start + s, first.start + s + length);
        }
      }
      continue;
    }
    let length = 0;
    for (let j = i; j < groups.length && length + groups[j]!.digits.length <= 19; j++) {
      length += groups[j]!.digits.length;
      if (length >= 12 && luhn(offset, offset + length)) add(first.start, groups[j]!.end);
    }
  }
  let out = '';
  let done = 0;
  for (const s of spans) {
    out += `${run.slice(done, s.start)}••••${last4(plain.slice(s.start, s.end))}`;
    done = s.end;
  }
  return spans.length ? out + run.slice(done) : run;
}

/**
 * Luhn of any window of a string of digits in constant time, from prefix sums by position
 * parity (a digit is doubled when its distance from the window's end is odd): a run of
 * thousands of short groups costs a linear pass, not a checksum per window.
 */
function luhnWindows(digits: string): (start: number, end: number) => boolean {
  const n = digits.length;
  const plainSum = [new Int32Array(n + 1), new Int32Array(n + 1)];
  const doubledSum = [new Int32Array(n + 1), new Int32Array(n + 1)];
  for (let k = 0; k < n; k++) {
    const d = digits.charCodeAt(k) - 48;
    const doubled = d * 2 > 9 ? d * 2 - 9 : d * 2;
    for (const parity of [0, 1]) {
      plainSum[parity]![k + 1] = plainSum[parity]![k]! + (k % 2 === parity ? d : 0);
      doubledSum[parity]![k + 1] = doubledSum[parity]![k]! + (k % 2 === parity ? doubled : 0);
    }
  }
  return (start, end) => {
    const kept = (end - 1) % 2; // positions with this parity are at an even distance from the end
    const sum = plainSum[kept]![end]! - plainSum[kept]![start]! + doubledSum[1 - kept]![end]! - doubledSum[1 - kept]![start]!;
    return sum % 10 === 0;
  };
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

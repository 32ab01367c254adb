/**
 * JSON as Razorpay's servers write webhook bodies (PHP's json_encode with its default flags): no
 * spaces, keys in the order the entity lists them, `/` escaped as `\/` and every character
 * outside ASCII as `\uXXXX` (UTF-16 code units, so an emoji is a surrogate pair). Node's
 * JSON.stringify writes both as they are, which is why a handler that verifies
 * `JSON.stringify(req.body)` instead of the raw body fails on such a body (razorpay-node #96): the
 * bytes signed are not the bytes it re-made. Both only ever occur inside strings in JSON, so
 * rewriting them in JSON.stringify's output is exact.
 */
export function phpJsonEncode(value: unknown): string {
  return JSON.stringify(value).replace(/[/\u0080-\uffff]/g, (c) => (c === '/' ? '\\/' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

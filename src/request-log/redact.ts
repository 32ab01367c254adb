import { redactJson, redactText } from '../core/redact.ts';

/**
 * Bodies as the request log keeps them: redacted by the one pass (src/core/redact.ts), so card
 * numbers, cvc, API keys, webhook secrets, tokens and passwords never reach the table, and clipped.
 */

export const MAX_BODY_CHARS = 16_384;

const clip = (text: string) => (text.length > MAX_BODY_CHARS ? `${text.slice(0, MAX_BODY_CHARS)}…[truncated]` : text);

/** A parsed request body as stored text (null when there was none). */
export function redactedRequestBody(body: unknown): string | null {
  if (body === undefined || body === null) return null;
  if (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0) return null;
  return clip(JSON.stringify(redactJson(body, MAX_BODY_CHARS)));
}

/** A response body (the text sent) as stored text: JSON is redacted field by field, anything else masked. */
export function redactedResponseBody(text: string | null): string | null {
  if (text === null || text === '') return null;
  if (text.length <= 256 * 1024) {
    try {
      return clip(JSON.stringify(redactJson(JSON.parse(text), MAX_BODY_CHARS)));
    } catch {
      // not JSON: mask it as text
    }
  }
  return clip(redactText(text.slice(0, MAX_BODY_CHARS * 2)));
}

/** A header or an error field as stored text: masked, then cut to `max` characters (masking first, so a cut never leaves half a secret). */
export function redactedField(text: string | null | undefined, max: number): string | null {
  return typeof text === 'string' ? redactText(text).slice(0, max) : null;
}

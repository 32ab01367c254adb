import type { z } from 'zod';
import { badRequest, type DomainError } from './errors.ts';
import { MAX_JSON_DEPTH } from './json-guard.ts';

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let cur = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

const paramName = (path: PropertyKey[]) => path.map(String).join('.');

const TYPE_NAMES: Record<string, string> = {
  number: 'a number', int: 'an integer', string: 'a string', boolean: 'true or false', object: 'an object', array: 'an array',
  null: 'null', date: 'a date', bigint: 'an integer',
};

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' && Number.isNaN(value)) return 'something that is not a number';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * The message for one issue, in Sandpay's words: zod's own wording ("Invalid input: expected
 * number, received NaN") is an implementation detail a client should never see. A message given
 * in a schema (`.regex(re, 'must look like …')`) is kept.
 */
function messageOf(issue: z.core.$ZodIssue, value: unknown): string {
  const custom = issue.message && !/^(Invalid|Too (big|small)|Expected|Unrecognized)/.test(issue.message);
  if (custom) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}, not ${describe(value)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return issue.origin === 'string' ? `must be at least ${issue.minimum} characters`
        : issue.origin === 'array' ? `must have at least ${issue.minimum} items` : `must be at least ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'string' ? `must be at most ${issue.maximum} characters`
        : issue.origin === 'array' ? `must have at most ${issue.maximum} items` : `must be at most ${issue.maximum}`;
    case 'invalid_format':
      return issue.format === 'email' ? 'must be an email address' : issue.format === 'url' ? 'must be a URL' : `must be a valid ${issue.format}`;
    case 'invalid_union':
      return 'has a value of the wrong type';
    default:
      return 'is not valid';
  }
}

/**
 * Maps the first zod issue to one 400 with `param` set to the dotted path of the field, so a
 * client can point at the exact input that was wrong.
 */
export function validationError(error: z.ZodError, input: unknown, root = ''): DomainError {
  const issue = error.issues[0]!;
  const path = root ? [root, ...issue.path] : issue.path;
  if (issue.code === 'unrecognized_keys') {
    const param = paramName([...path, issue.keys[0]!]);
    return badRequest('parameter_unknown', `Received unknown parameter: ${param}`, param);
  }
  const param = paramName(path) || undefined;
  const value = valueAt(input, issue.path);
  // Whatever zod calls it (invalid_type, invalid_value, custom), a failing field absent from the input is missing.
  if (issue.path.length > 0 && value === undefined) {
    return badRequest('parameter_missing', `Missing required parameter: ${param}`, param);
  }
  const leaf = issue.path[issue.path.length - 1];
  const message = messageOf(issue, value);
  if (leaf === 'amount' && issue.code === 'too_small') return badRequest('amount_too_small', `${param} ${message}`, param);
  if (leaf === 'amount' && issue.code === 'too_big') return badRequest('amount_too_large', `${param} ${message}`, param);
  return badRequest('parameter_invalid', param ? `Invalid ${param}: ${message}` : `Invalid request: ${message}`, param);
}

/** Validates input against a schema; a missing one is an empty object. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, root = ''): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (!result.success) throw validationError(result.error, input, root);
  return result.data;
}

/** Keys that would reach an object's prototype rather than the object: refused anywhere in a body. */
const PROTO_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * What schemas cannot see or Postgres cannot store, refused with a 400 naming the field before
 * any schema runs: JSON.parse keeps a `"__proto__"` key as an own property that validation then
 * drops without a word (`{"notes": {"__proto__": {...}}}` became `notes: {}`), a NUL character
 * in a string would only fail in the database, without a `param`, and a lone surrogate (`"\ud800"`,
 * valid JSON but not Unicode) would be stored as U+FFFD.
 */
export function refuseHostileInput(input: unknown, path: string[] = []): void {
  // One path, pushed and popped as the walk goes (not copied at each node: a wide body is cheap).
  const param = () => path.join('.') || undefined;
  if (typeof input === 'string') {
    if (input.includes('\u0000')) throw badRequest('parameter_invalid', `Invalid ${param() ?? 'body'}: text may not contain NUL characters`, param());
    if (!input.isWellFormed()) throw badRequest('parameter_invalid', `Invalid ${param() ?? 'body'}: text may not contain unpaired surrogates (\\ud800-\\udfff)`, param());
    return;
  }
  if (input === null || typeof input !== 'object') return;
  // The body parser refuses this first (src/core/json-guard.ts); here it bounds the walk for any other caller.
  if (path.length >= MAX_JSON_DEPTH) throw badRequest('json_too_deep', `The request body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep`);
  if (Array.isArray(input)) {
    for (let i = 0; i < input.length; i++) {
      path.push(String(i));
      refuseHostileInput(input[i], path);
      path.pop();
    }
    return;
  }
  for (const key of Object.keys(input)) {
    path.push(key);
    if (PROTO_KEYS.has(key)) {
      throw badRequest('parameter_invalid', `Invalid ${param()}: the keys __proto__, constructor and prototype are not allowed`, param());
    }
    if (!key.isWellFormed()) throw badRequest('parameter_invalid', `Invalid ${param()}: a key may not contain unpaired surrogates (\\ud800-\\udfff)`, param());
    refuseHostileInput((input as Record<string, unknown>)[key], path);
    path.pop();
  }
}

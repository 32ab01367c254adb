import { describe, expect, it } from 'vitest';
import { redactJson, redactLogLine, redactUrl } from '../../src/core/redact.ts';
import { maskText } from '../../src/core/secret-text.ts';

const JWT = 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2lnbmF0dXJl';

describe('maskText', () => {
  it.each([
    ['4242.4242.4242.4242', '••••4242'],
    ['4242  4242  4242  4242', '••••4242'],
    ['4242 - 4242 - 4242 - 4242', '••••4242'],
    ['4242_4242_4242_4242', '••••4242'],
    ['card 4242 4242 4242 4242 123 exp', 'card ••••4242 123 exp'],
    ['ref 1 4242 4242 4242 4242', 'ref 1 ••••4242'],
    ['378282246310005', '••••0005'],
    [`Bearer ${JWT}`, 'Bearer eyJ…dXJl'],
    [`${JWT.split('.').slice(0, 2).join('.')}.`, 'eyJ…4In0'],
    ['rzp_test_1DP5mmOlF5G5ag:Ab3dEf6hIj9kLm2nOp5qRs8t', 'rzp_test_…G5ag:…Rs8t'],
    ['rk_live_abcDEF123456', 'rk_live_…3456'],
    ['whsec_c2VjcmV0', 'whsec_…cmV0'],
    ['4242/4242/4242/4242', '••••4242'],
    ['4242,4242,4242,4242', '••••4242'],
    ['paid%20with%204242%204242%204242%204242%20ok', 'paid%20with%20••••4242%20ok'],
    ['tel 98765 43210 4242-4242-4242-4242', 'tel 98765 43210 ••••4242'],
    ['order-2024-01-15-4111-1111-1111-1111', 'order-2024-01-15-••••1111'],
    ['ref 1234 5678 4242 4242 4242 4242', 'ref 1234 ••••4242'],
    ['98765432104242424242424242', '9••••4242'],
    ['req_sk_test_abcdefghij1234', 'req_sk_test_…1234'],
    ['tok_eyJhbGciOiJ9.eyJzdWIiOiJ4In0.c2ln', 'tok_eyJ…c2ln'],
  ])('%s -> %s', (text, masked) => {
    expect(maskText(text)).toBe(masked);
    expect(maskText(masked)).toBe(masked);
  });

  it.each(['order 123456789012 ok', '2026-01-01T00:00:00.000Z', 'pay_0123456789abcdefghij', 'amount 424242424243', 'eyJhbGciOiJ9'])('leaves %s alone', (text) => {
    expect(maskText(text)).toBe(text);
  });
});

describe('redactJson', () => {
  it('masks a card number sent as a JSON number, and leaves other numbers alone', () => {
    expect(redactJson({ a: 4242424242424242, list: [4242424242424242], amount: 3300, big: 424242424243 })).toEqual({ a: '••••4242', list: ['••••4242'], amount: 3300, big: 424242424243 });
  });

  it('searches no more than its budget: what lies past it is left out, not masked', () => {
    expect(redactJson({ a: 'x'.repeat(10), b: 'y', c: [1, 2] }, 5)).toEqual({ a: 'xxxx…[truncated]', '[truncated]': true });
    expect(redactJson([1, 2, 3, 4], 2)).toEqual([1, 2, '[truncated]']);
    expect(redactJson({ a: 'x'.repeat(10) })).toEqual({ a: 'x'.repeat(10) });
  });

  it("leaves a log line's epoch-millisecond time alone, Luhn-valid or not", () => {
    const lucky = Array.from({ length: 1000 }, (_, i) => 1_764_900_000_000 + i).find((t) => maskText(String(t)) !== String(t))!;
    expect(lucky).toBeDefined();
    expect(JSON.parse(redactLogLine(JSON.stringify({ level: 30, time: lucky, msg: 'x' })))).toEqual({ level: 30, time: lucky, msg: 'x' });
  });

  it('masks keys as well as values', () => {
    expect(redactJson({ '4242424242424242': 'x', [`k ${JWT}`]: { ok: 1 } })).toEqual({ '••••4242': 'x', 'k eyJ…dXJl': { ok: 1 } });
  });
});

describe('redactUrl', () => {
  it.each([
    [`/x?jwt=${JWT}`, '/x?jwt=[REDACTED]'],
    ['/x?bearer=opaque', '/x?bearer=[REDACTED]'],
    [`/x?q=${JWT}&limit=2`, '/x?q=[REDACTED]&limit=2'],
    ['/v1/orders?anything=Ab3dEf6hIj9kLm2nOp5qRs8t', '/v1/orders?anything=[REDACTED]'],
    ['/v1/orders?Ab3dEf6hIj9kLm2nOp5qRs8t', '/v1/orders?[REDACTED]'],
    // A key_secret with no digit in it (one in seventy are): CI once leaked fegWlgMvYTloacmDrTzefhlC.
    ['/v1/orders?hint=fegWlgMvYTloacmDrTzefhlC&fegWlgMvYTloacmDrTzefhlC', '/v1/orders?hint=[REDACTED]&[REDACTED]'],
    [`/x/${JWT}/y`, '/x/[REDACTED]/y'],
  ])('%s -> %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it.each(['/v1/orders?count=10&skip=20&from=1767225600', '/x?starting_after=pay_0123456789abcdefghij', '/x?request_id=req_0123456789ABCdefghij', '/x?q=abcdefghijklmnopqrstuvwxyz'])('leaves %s alone', (url) => {
    expect(redactUrl(url)).toBe(url);
  });
});

describe('redactLogLine', () => {
  it('masks every field of a log line, keys included, and keeps it one JSON line', () => {
    const line = JSON.stringify({ level: 30, time: 1767225600000, req: { id: 'sk_test_abcdefgh1234', url: '/x' }, [`4242424242424242`]: 1, msg: `token ${JWT}`, password: 'p' }) + '\n';
    const out = redactLogLine(line);
    expect(out.endsWith('\n')).toBe(true);
    expect(JSON.parse(out)).toEqual({ level: 30, time: 1767225600000, req: { id: 'sk_test_…1234', url: '/x' }, '••••4242': 1, msg: 'token eyJ…dXJl', password: '[REDACTED]' });
  });
});

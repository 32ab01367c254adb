import { describe, expect, it } from 'vitest';
import { WEBHOOK_FACES } from '../../src/contract/faces.ts';
import { EVENT_TYPES } from '../../src/events/events.ts';
import { RAZORPAY_EVENTS } from '../../src/faces/razorpay/events.ts';
import { SENT_EVENTS } from '../../src/faces/stripe/events.ts';
import { ACCEPTS_FORGED, forgeSignature, grade, tamperBody } from '../../src/webhooks/check-grade.ts';
import { faceOf } from '../../src/webhooks/faces.ts';
import { sampleDeliveries } from '../../src/webhooks/samples.ts';

/** The handler check's pure rules: grading an answer, forging a signature, tampering with a body, the samples. */

const answered = (statusCode: number | null, error: string | null = null) => ({ statusCode, error });

describe('grade', () => {
  it('a 2xx case passes on 2xx only; 4xx, 5xx, redirects and silence fail with what to do', () => {
    expect(grade('valid', '2xx', answered(204), 1000)).toEqual({ verdict: 'pass', why: 'answered 204' });
    expect(grade('duplicate', '2xx', answered(409), 1000)).toMatchObject({ verdict: 'fail', why: expect.stringMatching(/^answered 409: .*dedupe on the event id/) });
    expect(grade('unknown_event', '2xx', answered(500), 1000)).toMatchObject({ verdict: 'fail', why: expect.stringMatching(/^answered 500 \(Sandpay retries it\): answer 2xx to an event type/) });
    expect(grade('valid', '2xx', answered(302), 1000)).toMatchObject({ verdict: 'fail', why: 'answered 302: redirects are not followed' });
    expect(grade('valid', '2xx', answered(null, 'timeout'), 1000).why).toMatch(/^no answer within the 1000 ms delivery timeout: Sandpay would retry it/);
    expect(grade('valid', '2xx', answered(null, 'ECONNREFUSED: connect ECONNREFUSED'), 1000)).toEqual({ verdict: 'fail', why: 'not delivered: ECONNREFUSED: connect ECONNREFUSED' });
  });

  it('a forgery passes on 4xx only; a 2xx is "your handler accepts forged events", a 5xx asks for a 4xx', () => {
    expect(grade('forged_signature', '4xx', answered(401), 1000)).toEqual({ verdict: 'pass', why: 'refused with 401' });
    const taken = grade('tampered_body', '4xx', answered(200), 1000);
    expect(taken).toEqual({ verdict: 'fail', why: `${ACCEPTS_FORGED}: it answered 200 to a body changed after it was signed` });
    expect(grade('other_secret', '4xx', answered(500), 1000)).toMatchObject({ verdict: 'fail', why: expect.stringMatching(/^answered 500: refuse a bad signature with a 4xx/) });
    expect(grade('stale_timestamp', '4xx', answered(null, 'timeout'), 1000).verdict).toBe('fail');
  });
});

describe('forgeries', () => {
  it('forgeSignature replaces each MAC with one of the same alphabet and length, keeping the scheme and timestamp', () => {
    const stripe = 't=1700000000,v1=' + 'ab12'.repeat(16);
    const forged = forgeSignature(stripe);
    expect(forged).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(forged).not.toBe(stripe);
    const standard = 'v1,' + 'K'.repeat(43) + '=';
    expect(forgeSignature(standard)).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(forgeSignature(standard)).not.toBe(standard);
  });

  it('tamperBody raises the amount (pretty-printed or not) and otherwise adds a field', () => {
    expect(tamperBody('{"amount":5000,"x":1}')).toBe('{"amount":500001,"x":1}');
    expect(tamperBody('{\n  "amount": 5000\n}')).toBe('{\n  "amount": 500001\n}');
    expect(tamperBody('{"id":"x"}')).toBe('{"id":"x","tampered":true}');
  });
});

describe('sample deliveries', () => {
  it('make every event name each format sends, once each, each rendered with a body', () => {
    for (const [format, names] of [['sandpay', EVENT_TYPES], ['razorpay', RAZORPAY_EVENTS], ['stripe', SENT_EVENTS]] as const) {
      const face = faceOf(WEBHOOK_FACES, format);
      const samples = sampleDeliveries(face, 'ten_rules');
      expect(samples.map((s) => s.name).sort()).toEqual([...names].sort());
      for (const s of samples) {
        const r = face.render({ ...s.content, secret: 'whsec_dGVzdHRlc3R0ZXN0dGVzdA==' });
        expect(r, `${format} ${s.name}`).not.toBeNull();
        expect(JSON.parse(r!.body)).toBeTypeOf('object');
      }
    }
  });
});

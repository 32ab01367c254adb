import { expect } from 'vitest';
import { idemKey } from './client.ts';
import { CARDS } from './payments.ts';

/**
 * A payer opening a Razorpay short_url (a payment link's or an invoice's): its 303 to the
 * Sandpay hosted checkout, then the page's own pay call with a test card or VPA.
 */
export async function openShortUrl(shortUrl: string): Promise<{ sessionId: string; location: string }> {
  const res = await fetch(shortUrl, { redirect: 'manual', headers: { accept: 'text/html' } });
  expect(res.status, await res.text()).toBe(303);
  const location = res.headers.get('location')!;
  const sessionId = /\/checkout\/(cs_[0-9A-Za-z]+)$/.exec(location)?.[1];
  expect(sessionId, location).toBeTruthy();
  return { sessionId: sessionId!, location };
}

export async function payShortUrl(shortUrl: string, body: Record<string, unknown> = { method: 'card', card: { number: CARDS.visa, exp_month: 12, exp_year: 2030, cvc: '123' } }): Promise<any> {
  const { sessionId, location } = await openShortUrl(shortUrl);
  const res = await fetch(`${new URL(location).origin}/checkout/${sessionId}/pay`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': idemKey() }, body: JSON.stringify(body),
  });
  const json = await res.json();
  expect(res.status, JSON.stringify(json)).toBe(200);
  return json;
}

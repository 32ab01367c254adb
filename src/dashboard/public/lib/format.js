// Display helpers: money in minor units, times, statuses.

const digitsCache = new Map();
function digits(currency) {
  if (!digitsCache.has(currency)) {
    try {
      digitsCache.set(currency, new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2);
    } catch {
      digitsCache.set(currency, 2);
    }
  }
  return digitsCache.get(currency);
}

export function money(minor, currency) {
  if (minor === null || minor === undefined) return '—';
  try {
    return new Intl.NumberFormat(currency === 'INR' ? 'en-IN' : 'en-US', { style: 'currency', currency }).format(minor / 10 ** digits(currency));
  } catch {
    return `${minor} ${currency}`;
  }
}

/** "₹50.00 + $3.00" from { INR: 5000, USD: 300 }. */
export function moneyMap(byCurrency) {
  const parts = Object.entries(byCurrency ?? {}).map(([c, v]) => money(v, c));
  return parts.length ? parts.join(' + ') : money(0, 'INR');
}

/** A display amount ("12.50") to minor units for the currency; NaN when it is not a number. */
export function toMinor(text, currency) {
  const n = Number(String(text).replace(/[,\s]/g, ''));
  if (!Number.isFinite(n)) return NaN;
  return Math.round(n * 10 ** digits(currency));
}

export const fromMinor = (minor, currency) => (minor / 10 ** digits(currency)).toFixed(digits(currency));

/** The browser's locale when Intl knows it (some report tags such as en-US@posix that it does not). */
export const LOCALE = (() => {
  try {
    new Intl.DateTimeFormat(navigator.language);
    return navigator.language;
  } catch {
    return 'en';
  }
})();

/** The browser's time zone, for "today" on the home page. */
export const TIME_ZONE = (() => {
  try {
    return new Intl.DateTimeFormat(LOCALE).resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
})();

const timeFmt = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeStyle: 'medium' });
const shortFmt = new Intl.DateTimeFormat(LOCALE, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

export const dateTime = (iso) => (iso ? timeFmt.format(new Date(iso)) : '—');
export const time = (iso) => (iso ? shortFmt.format(new Date(iso)) : '—');

export function percent(x) {
  return x === null || x === undefined ? '—' : `${(x * 100).toFixed(x === 1 || x === 0 ? 0 : 1)}%`;
}

export const ms = (x) => (x === null || x === undefined ? '—' : `${Math.round(x)} ms`);

export const STATUS_TONE = {
  success: 'good', delivered: 'good', processed: 'good', paid: 'good', complete: 'good',
  failed: 'bad', dead: 'bad', flagged: 'bad', expired: 'muted', refunded: 'muted', partially_refunded: 'muted',
  pending: 'wait', authorized: 'info', created: 'info', attempted: 'wait', open: 'info',
};

export const humanStatus = (s) => String(s).replace(/_/g, ' ');

/**
 * What every page Sandpay serves shares: one HTML shell (the hosted checkout's stylesheet, no
 * CDN) and one Content-Security-Policy builder. The hosted checkout, and the Stripe face's
 * challenge page and card Element frame, build theirs from these, with their few differences as
 * options.
 */

export const ASSET_VERSION = '2';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

export interface ShellOptions {
  title: string;
  /** The body's HTML, as it is. */
  body: string;
  /** `data-*` attributes of <body> (their values escaped here). */
  data?: Record<string, string>;
  /** A class on <html> (the card Element's frame has one). */
  htmlClass?: string;
  /** Stylesheets after the checkout's own, with the asset version added. */
  stylesheets?: string[];
  /** A module script at the end of <body>, with the asset version added. */
  script?: string;
  /**
   * `<meta name="referrer" content="no-referrer">` (the default). A page whose form must post its
   * own Origin (the challenge page) leaves it out: under no-referrer a POST's Origin is "null".
   */
  noReferrer?: boolean;
}

export function pageShell(o: ShellOptions): string {
  const data = Object.entries(o.data ?? {}).map(([k, v]) => ` data-${k}="${esc(v)}"`).join('');
  const styles = ['/checkout/assets/page.css', ...(o.stylesheets ?? [])].map((href) => `<link rel="stylesheet" href="${href}?v=${ASSET_VERSION}">\n`).join('');
  return `<!doctype html>
<html lang="en"${o.htmlClass ? ` class="${esc(o.htmlClass)}"` : ''}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${o.noReferrer === false ? '' : '<meta name="referrer" content="no-referrer">\n'}<title>${esc(o.title)}</title>
${styles}</head>
<body${data}>
${o.body}
${o.script ? `<script type="module" src="${o.script}?v=${ASSET_VERSION}"></script>\n` : ''}</body>
</html>
`;
}

type Headers = { setHeader(name: string, value: string): unknown; removeHeader(name: string): unknown };

export interface PageHeaderOptions {
  /** frame-ancestors: who may frame the page ("'none'", or one origin the tenant allows). */
  ancestors: string;
  /** The page runs Sandpay's scripts and calls Sandpay (script-src and connect-src 'self'); else none at all. */
  scripts?: boolean;
  /** form-action: where its forms may post ("'none'" unless given). */
  formAction?: string;
  /** Referrer-Policy: no-referrer unless given. */
  referrer?: string;
}

/**
 * A page's headers: a strict CSP (nothing loads from anywhere but Sandpay), framed only by
 * `ancestors`, never cached, no referrer beyond what the page needs.
 */
export function pageHeaders(res: Headers, o: PageHeaderOptions): void {
  res.setHeader('Content-Security-Policy', [
    "default-src 'none'", ...(o.scripts === false ? [] : ["script-src 'self'"]), "style-src 'self'", "img-src 'self' data:", ...(o.scripts === false ? [] : ["connect-src 'self'"]),
    `form-action ${o.formAction ?? "'none'"}`, "base-uri 'none'", `frame-ancestors ${o.ancestors}`,
  ].join('; '));
  // frame-ancestors decides who may frame the page; helmet's X-Frame-Options would refuse every other origin.
  if (o.ancestors !== "'none'") res.removeHeader('X-Frame-Options');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', o.referrer ?? 'no-referrer');
}

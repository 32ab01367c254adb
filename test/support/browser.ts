import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import chromium from '@sparticuz/chromium';
import { chromium as playwright, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll, onTestFinished } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.ts';

/** Where a failing browser test leaves its screenshots (gitignored). */
export const RESULTS_DIR = path.join(PROJECT_ROOT, 'test-results');

/**
 * @sparticuz/chromium's defaults are for a serverless sandbox; these would hide exactly what the
 * browser tests check (same-origin policy, CORS, mixed content) or make one crash take every page.
 */
const UNWANTED_ARGS = new Set(['--disable-web-security', '--allow-running-insecure-content', '--single-process']);

/** Chromium from npm alone (no browser download): see ../shared/FACTS.md. */
export async function launchBrowser(): Promise<Browser> {
  return playwright.launch({
    executablePath: await chromium.executablePath(),
    args: chromium.args.filter((a) => !UNWANTED_ARGS.has(a)),
    headless: true,
  });
}

/** A generous wait for anything a loaded 2-core machine may take a while to show. */
export const WAIT_MS = 20_000;

export interface BrowserSuite {
  browser(): Browser;
  /**
   * A page in a fresh context (no shared storage between tests). If the test fails, every page
   * of the context is saved to test-results/; the context is closed when the test ends.
   */
  newPage(options?: BrowserContextOptions): Promise<Page>;
}

const slug = (s: string) => s.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').slice(0, 80).toLowerCase();

/** One browser per test file, launched in beforeAll and closed in afterAll. */
export function useBrowser(): BrowserSuite {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });
  return {
    browser: () => browser!,
    async newPage(options = {}) {
      const context: BrowserContext = await browser!.newContext({ viewport: { width: 1100, height: 800 }, ...options });
      context.setDefaultTimeout(WAIT_MS);
      onTestFinished(async ({ task }) => {
        if (task.result?.state === 'fail') {
          await mkdir(RESULTS_DIR, { recursive: true });
          const base = `${slug(path.basename(task.file?.name ?? 'test'))}--${slug(task.name)}`;
          for (const [i, page] of context.pages().entries()) {
            const file = path.join(RESULTS_DIR, `${base}${i ? `-${i}` : ''}.png`);
            await page.screenshot({ path: file, fullPage: true }).catch(() => {});
            console.error(`screenshot of the failed test: ${file}`);
          }
        }
        await context.close().catch(() => {});
      });
      return context.newPage();
    },
  };
}

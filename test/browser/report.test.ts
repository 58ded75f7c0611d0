// The HTML scorecard `citygauge report` writes, opened from disk in Debian's Chromium: it renders on its own
// (no server, no network), shows the overall score and every indicator, and logs no error.
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ISO30146_CATALOGUE } from '../../indicators/iso/index.js';
import { launchBrowser, openPage, screenshot } from '../support/browser.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const SAMPLE = fileURLToPath(new URL('../../examples/sample-city/', import.meta.url));
let browser: Browser;
let report: string;

beforeAll(async () => {
  const dir = tempDir();
  report = join(dir, 'report-2026.html');
  const r = await runCli([
    'report',
    '--period',
    '2026',
    '--data-dir',
    join(dir, 'data'),
    '--inventory',
    SAMPLE,
    '--out',
    report,
  ]);
  if (r.code !== 0) throw new Error(`citygauge report failed: ${r.stderr}`);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('the HTML scorecard in a browser', () => {
  it('renders from a file:// URL with the overall score, every indicator row and no console error', async () => {
    const { page, errors } = await openPage(browser);
    const requests: string[] = [];
    page.on('request', (req) => requests.push(req.url()));
    await page.goto(pathToFileURL(report).href);
    await expect.poll(() => page.locator('#overall-score').isVisible()).toBe(true);
    expect(await page.locator('#overall-score').textContent()).toMatch(/^\d+\.\d$/);
    expect(await page.locator('#overall-maturity').textContent()).toMatch(
      /^\d (lagging|developing|competent|progressive|excelling)$/,
    );
    // The standard's 52 and the sample city's own L6.2.1 and L6.2.2, marked user-defined.
    expect(await page.locator('tr[data-indicator]').count()).toBe(54);
    for (const d of ISO30146_CATALOGUE)
      expect(await page.locator(`tr[data-indicator="${d.id}"]`).count()).toBe(1);
    expect(await page.locator('tr[data-user-defined]').count()).toBe(2);
    expect(await page.locator('tr[data-component]').count()).toBe(6);
    expect(await page.locator('#first-level svg rect').count()).toBeGreaterThan(0);
    expect(await page.locator('#second-level svg').isVisible()).toBe(true);
    // Nothing fetched but the file itself: the page is self-contained.
    expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
    await screenshot(page, 'report-2026.png');
    expect(errors).toEqual([]);
  });
});

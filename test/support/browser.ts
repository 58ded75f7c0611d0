// Debian's Chromium driven by playwright-core, for the dashboard tests. Screenshots land in
// test-artifacts/screenshots/ (kept by CI; the README links the copies in docs/screenshots/).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];

export const SCREENSHOTS = join(process.cwd(), 'test-artifacts', 'screenshots');

export function chromiumPath(): string {
  const found = CANDIDATES.find((p): p is string => !!p && existsSync(p));
  if (!found)
    throw new Error(
      "Chromium not found at /usr/bin/chromium: install Debian's package (`apt-get install chromium`, " +
        'which .ci/run does) or set CHROMIUM_PATH to a Chromium binary',
    );
  return found;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    // No sandbox (CI runs as root), no GPU, and nothing that phones home from a machine without network.
    // Playwright gives every launch a fresh profile directory of its own.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A page that records console errors and uncaught exceptions, which the tests then assert are absent. */
/** Each page is a context of its own: its own cookies, so its own signed-in person (test/support/people.ts). */
export async function openPage(
  browser: Browser,
  opts: { timezoneId?: string } = {},
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, ...opts });
  const errors: string[] = [];
  page.on('console', (m) => {
    // A resource that failed to load says which in its location, not in its text.
    if (m.type() === 'error') errors.push(m.location().url ? `${m.text()} (${m.location().url})` : m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, name);
  await page.screenshot({ path, fullPage: true });
  return path;
}

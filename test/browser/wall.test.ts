// The video wall (/dashboard/wall, issue 15 item 1) in Debian's Chromium at 3840×2160 against
// `citygauge start`: a viewer's wall shows the city's values with their units, coloured against the
// thresholds, the devices down and open incidents as the API counts them, in type readable from 5 m; it
// has nothing to press or type in, and turns to each district and back to the city on its own.
import type { MqttClient } from 'mqtt';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from '../support/browser.js';
import type { CityProcess } from '../support/city-process.js';
import { startDashboardCity, townGatewayLost } from '../support/dashboard-city.js';
import { person, signIn } from '../support/people.js';

const viewer = person('vera.viewer', 'viewer');
const K4 = { width: 3840, height: 2160 };
let city: CityProcess;
let browser: Browser;
let gateway: MqttClient;

interface Row {
  id: string;
  scope: string;
  unit: string;
  value: number | null;
  quality?: { flag: string; reason: string };
}
interface Threshold {
  indicator: string;
  scope: string;
  below: number;
  clearAt: number;
  severity: string;
}

const isShown = (id: string) => (/^L\d/.test(id) && !/\.b\d+$/.test(id)) || id.startsWith('availability.');
const cityRows = async () =>
  ((await city.api('GET', '/api/indicators')).body as Row[]).filter(
    (r) => r.scope === 'city' && isShown(r.id),
  );

beforeAll(async () => {
  city = await startDashboardCity('test/fixtures/town', [viewer], 'wall-admin-token-0123456789abcdef');
  browser = await launchBrowser();
  // Two of the town's four cameras heard (a degraded camera availability), then their gateway lost: one
  // open incident in the centre and devices down.
  gateway = await townGatewayLost(city);
  await city.until(
    async () => (await city.api('GET', '/api/incidents?open=true')).body as unknown[],
    (list) => list.length === 1,
    'the gateway incident',
  );
  // One value in alarm, one in the warning band, one fine: thresholds around the values the city has now.
  const numeric = (await cityRows()).filter((r) => r.value !== null);
  expect(numeric.length, 'city values with a number').toBeGreaterThanOrEqual(3);
  const [a, w, o] = numeric.map((r) => ({ id: r.id, v: r.value as number }));
  const put = await city.api('PUT', '/api/thresholds', [
    { indicator: a.id, scope: 'city', below: Math.ceil(a.v) + 10, clearAt: Math.ceil(a.v) + 20 },
    { indicator: w.id, scope: 'city', below: Math.floor(w.v), clearAt: Math.floor(w.v) + 10 },
    { indicator: o.id, scope: 'city', below: Math.floor(o.v) - 10, clearAt: Math.floor(o.v) },
  ]);
  expect(put.status).toBe(200);
}, 120_000);

afterAll(async () => {
  gateway?.end(true);
  await browser?.close();
  await city?.stop();
});

/** A 4K page signed in as the viewer; half the device pixels, so the screenshot stays small. */
async function openWall(every: number): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: K4, deviceScaleFactor: 0.5 });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page, city.http, viewer.name, viewer.password, '/dashboard/city');
  await page.goto(`${city.http}/dashboard/wall?every=${every}`);
  return { page, errors };
}

/** An element's computed style property, read in the page (the tests compile without the DOM's types). */
const styleOf = (at: Locator, property: string): Promise<string> =>
  at.evaluate(
    (e, p) =>
      (globalThis as unknown as { getComputedStyle(e: unknown): Record<string, string> }).getComputedStyle(e)[
        p
      ],
    property,
  );

const expectedState = (v: number | null, t: Threshold | undefined) =>
  v === null ? 'nodata' : !t ? 'none' : v < t.below ? 'alarm' : v < t.clearAt ? 'warn' : 'ok';

/** What the wall shows of the city and the API says differ in, one line each; [] when they agree. */
async function cityDifferences(page: Page): Promise<string[]> {
  const rows = await cityRows();
  const thresholds = (await city.api('GET', '/api/thresholds')).body as Threshold[];
  const wall = page.locator('[data-testid=wall]');
  if ((await wall.getAttribute('data-scope')) !== 'city') return ['the wall is not on the city'];
  const out: string[] = [];
  for (const r of rows) {
    const tile = wall.locator(`[data-testid=wall-tile][data-indicator="${r.id}"]`);
    if ((await tile.count()) !== 1) {
      out.push(`${r.id}: no tile`);
      continue;
    }
    const shown = await tile.locator('[data-testid=wall-value]').textContent();
    const want = r.value === null ? '—' : `${r.value.toFixed(1)}${r.unit}`;
    if (shown !== want) out.push(`${r.id}: shows ${shown}, the API says ${want}`);
    const t = thresholds.find((x) => x.indicator === r.id && x.scope === 'city');
    const state = await tile.getAttribute('data-state');
    if (state !== expectedState(r.value, t)) out.push(`${r.id}: ${state}, not ${expectedState(r.value, t)}`);
    const degraded = r.quality?.flag === 'degraded';
    const note = degraded ? await tile.locator('[data-testid=wall-quality]').textContent() : null;
    if (degraded && note !== `degraded: ${r.quality?.reason}`) out.push(`${r.id}: says ${note}`);
  }
  const down = (await city.api('GET', '/api/devices?down=true')).body.total as number;
  const shownDown = await wall.locator('[data-testid=wall-down]').getAttribute('data-count');
  if (shownDown !== String(down)) out.push(`devices down: ${shownDown}, the API says ${down}`);
  const open = await wall.locator('[data-testid=wall-incidents]').getAttribute('data-count');
  if (open !== '1') out.push(`open incidents: ${open}, not 1`);
  return out;
}

describe('the video wall', () => {
  it('shows the city’s values with units and threshold colours in large type, and nothing to press', async () => {
    const { page, errors } = await openWall(600);
    await expect.poll(() => cityDifferences(page), { timeout: 45_000, interval: 1000 }).toEqual([]);
    const wall = page.locator('[data-testid=wall]');
    // The three thresholds show as three colours; the camera availability is greyed for its two silent cameras.
    const states = await wall
      .locator('[data-testid=wall-tile]')
      .evaluateAll((ts) => ts.map((t) => t.getAttribute('data-state')));
    expect(states).toEqual(expect.arrayContaining(['alarm', 'warn', 'ok']));
    const colour = (state: string) =>
      styleOf(
        wall
          .locator(
            `[data-testid=wall-tile][data-state=${state}]:not(.cg-wall-degraded) [data-testid=wall-value]`,
          )
          .first(),
        'color',
      );
    expect(await colour('alarm')).toBe('rgb(255, 107, 107)');
    expect(await colour('ok')).toBe('rgb(63, 185, 80)');
    expect(await colour('warn')).toBe('rgb(242, 204, 96)');
    expect(await wall.locator('[data-indicator="availability.cctv"]').getAttribute('data-quality')).toBe(
      'degraded',
    );

    // Readable from 5 m: headline values over 96 px, the rest over 40 px, on a dark page.
    const px = async (sel: string) => Number.parseFloat(await styleOf(wall.locator(sel).first(), 'fontSize'));
    expect(await px('.cg-wall-tiles [data-testid=wall-value]')).toBeGreaterThanOrEqual(96);
    expect(await px('[data-testid=wall-down] .cg-wall-value')).toBeGreaterThanOrEqual(96);
    expect(await px('[data-testid=wall-updated]')).toBeGreaterThanOrEqual(40);
    expect(await px('.cg-wall-tiles .cg-wall-name')).toBeGreaterThanOrEqual(40);
    expect(await styleOf(wall, 'backgroundColor')).toBe('rgb(5, 8, 12)');
    // The wall fills the screen and draws the whole city without scrolling.
    const box = await wall.boundingBox();
    expect(box).toMatchObject({ x: 0, y: 0, width: K4.width, height: K4.height });
    const bottoms = await page
      .locator('[data-testid=wall-tile], [data-testid=wall-down], [data-testid=wall-incidents]')
      .evaluateAll((es) => es.map((e) => e.getBoundingClientRect().bottom));
    expect(Math.max(...bottoms)).toBeLessThanOrEqual(K4.height);

    // The last update in the city's zone (the fixture town declares none: UTC).
    expect(await wall.locator('[data-testid=wall-updated]').textContent()).toMatch(
      /^updated \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/,
    );
    // No controls: nothing on screen to click or type in, the dashboard's own bars included.
    const controls = page.locator(
      'button:visible, input:visible, select:visible, textarea:visible, a[href]:visible, [role=button]:visible',
    );
    expect(await controls.count()).toBe(0);
    await screenshot(page, 'dashboard-wall.png');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('signs a wall’s browser in once with a viewer’s token, and out when the token is revoked', async () => {
    const issued = await city.api('POST', '/api/tokens', {
      name: viewer.name,
      label: 'operations wall',
      expires: '30d',
    });
    expect(issued.status).toBe(201);
    const token = issued.body.token as string;
    const context = await browser.newContext({ viewport: K4, deviceScaleFactor: 0.5 });
    const page = await context.newPage();
    const next = encodeURIComponent('/dashboard/wall?every=600');
    await page.goto(`${city.http}/kiosk?token=${token}&next=${next}`);
    await page.waitForURL((u) => u.pathname === '/dashboard/wall', { timeout: 30_000 });
    // The token is gone from the address bar, and kept for the dashboard alone, as long as it lives.
    expect(page.url()).not.toContain(token);
    await expect.poll(() => cityDifferences(page), { timeout: 45_000, interval: 1000 }).toEqual([]);
    const kept = (await context.cookies()).find((c) => c.name === 'cg_kiosk');
    expect(kept).toMatchObject({ path: '/dashboard', httpOnly: true, sameSite: 'Lax' });
    expect(kept!.expires * 1000).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect((await context.cookies()).some((c) => c.name === 'cg_session')).toBe(false);

    expect((await city.api('DELETE', `/api/tokens/${issued.body.id}`)).status).toBe(200);
    await page.reload();
    await page.waitForURL((u) => u.pathname === '/signin', { timeout: 30_000 });
    await context.close();
  }, 120_000);

  it('turns through each district and back to the city, counting each district’s incidents', async () => {
    const districts = ((await city.api('GET', '/api/indicators')).body as Row[])
      .map((r) => r.scope)
      .filter((s, i, all) => s !== 'city' && all.indexOf(s) === i)
      .sort();
    expect(districts).toEqual(['centre', 'north']);
    const { page, errors } = await openWall(5);
    const wall = page.locator('[data-testid=wall]');
    const scope = () => wall.getAttribute('data-scope');
    await expect.poll(scope, { timeout: 30_000 }).toBe('city');
    for (const d of [...districts, 'city']) {
      await expect.poll(scope, { timeout: 20_000, interval: 200 }).toBe(d);
      // The scope on screen is named and marked among the steps.
      expect(await wall.locator('.cg-wall-step.cg-wall-here').textContent()).toBe(
        d === 'city' ? 'Fixture Town' : d,
      );
      if (d !== 'city') {
        expect(await wall.locator('[data-testid=wall-scope]').textContent()).toBe(`${d}district`);
        // The gateway is in the centre: its incident counts there, not in the north.
        expect(await wall.locator('[data-testid=wall-incidents]').getAttribute('data-count')).toBe(
          d === 'centre' ? '1' : '0',
        );
        expect(await wall.locator('[data-testid=wall-tile]').count()).toBeGreaterThan(0);
      }
    }
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});

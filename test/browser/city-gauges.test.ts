// The City page's gauges in Debian's Chromium, against `citygauge start` (issue 15 item 1): every value
// with its unit, a district cell coloured by the city's threshold where the district has none of its own,
// 24-hour charts with hour ticks in the city's zone (Kolkata, half an hour off UTC; the browser is in São
// Paulo), the threshold dashed and a gateway incident shaded on the charts its cameras feed, and a gauge
// that opens the devices behind it.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from '../support/browser.js';
import type { CityProcess } from '../support/city-process.js';
import { startDashboardCity, townGatewayLost } from '../support/dashboard-city.js';
import { openAs, person } from '../support/people.js';
import { tempDir } from '../support/tmp.js';

const operator = person('gita.gauges', 'operator');
const ZONE = 'Asia/Kolkata';
let city: CityProcess;
let browser: Browser;
let gateway: MqttClient;
let page: Page;
let errors: string[];
let incidentId: string;

beforeAll(async () => {
  const inventory = tempDir('citygauge-inv-');
  cpSync('test/fixtures/town', inventory, { recursive: true });
  const cityJson = JSON.parse(readFileSync(join(inventory, 'city.json'), 'utf8'));
  const thresholds = [
    // north has none of its own for L3.1.1: its cell is judged by the city's.
    { indicator: 'L3.1.1', scope: 'city', below: 50, clearAt: 60, forS: 0, severity: 'major' },
    { indicator: 'L2.2.1', scope: 'north', below: 10, clearAt: 20, forS: 0, severity: 'minor' },
  ];
  writeFileSync(join(inventory, 'city.json'), JSON.stringify({ ...cityJson, timeZone: ZONE, thresholds }));
  city = await startDashboardCity(inventory, [operator], 'city-gauges-admin-token-0123456789abcdef');
  browser = await launchBrowser();
  // The gateway stops: one incident, its cameras dark behind it.
  gateway = await townGatewayLost(city);
  const incidents = await city.until(
    async () => (await city.api('GET', '/api/incidents')).body as { id: string; subject: string }[],
    (list) => list.some((i) => i.subject === 'gw-1'),
    'the gateway incident in the API',
  );
  incidentId = incidents.find((i) => i.subject === 'gw-1')!.id;
  ({ page, errors } = await openAs(browser, city.http, operator, { timezoneId: 'America/Sao_Paulo' }));
  await page.goto(`${city.http}/dashboard/city`);
}, 120_000);

afterAll(async () => {
  gateway?.end(true);
  await browser?.close();
  await city?.stop();
});

describe('the gauges on the City page', () => {
  it('puts the unit on the gauges, their means and the district cells', async () => {
    const card = page.locator('.cg-card[data-indicator="L3.1.1"]').first();
    await expect
      .poll(() => card.locator('[data-testid=value]').textContent(), { timeout: 30_000 })
      .toBe('0.0');
    expect(await card.locator('[data-testid=unit]').textContent()).toBe('%');
    expect(await card.locator('[data-testid=mean]').first().textContent()).toMatch(/^1h \d+\.\d %$/);
    expect(await card.textContent()).toContain('alert below 50.0 % (major)');
    const cell = page.locator('tr[data-district="north"] td[data-indicator="L3.1.1"]');
    await expect.poll(() => cell.textContent(), { timeout: 15_000 }).toBe('0.0 %*');
  });

  it("colours a district cell alarm by the city's threshold when the district has none, and says so", async () => {
    const cell = page.locator('tr[data-district="north"] td[data-indicator="L3.1.1"]');
    await expect.poll(() => cell.getAttribute('data-state'), { timeout: 15_000 }).toBe('alarm');
    expect(await cell.getAttribute('class')).toContain('cg-cell-alarm');
    expect(await cell.getAttribute('data-against')).toBe('city');
    expect(await cell.getAttribute('title')).toBe(
      "L3.1.1 Online monitoring of key pollution sources in north: alarm: alert below 50 % (major) against the city's threshold",
    );
    // north's own threshold for L2.2.1 (10) is what judges its 60.
    const own = page.locator('tr[data-district="north"] td[data-indicator="L2.2.1"]');
    expect(await own.getAttribute('data-against')).toBe('district');
    expect(await own.getAttribute('data-state')).toBe('ok');
    expect(await page.locator('[data-testid=districts-legend]').textContent()).toContain(
      "against the city's threshold",
    );
  });

  it("draws the trends with hour ticks in the city's zone, the threshold dashed and the incident shaded where it counts", async () => {
    const chart = page.locator('.cg-trend[data-indicator="L3.1.1"]');
    // A tick every third hour of the day; each labelled, unless so near an edge that its label would run off.
    const ticks = chart.locator('[data-testid=hour-mark]');
    await expect.poll(() => ticks.count(), { timeout: 30_000 }).toBe(8);
    const labels = await chart.locator('[data-testid=hour-tick]').allTextContents();
    expect(labels.length).toBeGreaterThanOrEqual(7);
    expect(labels.every((l) => /^(00|03|06|09|12|15|18|21):00$/.test(l))).toBe(true);
    expect(await chart.locator('[data-testid=time-zone]').textContent()).toBe('GMT+5:30');
    expect(await chart.locator('[data-testid=value-unit]').textContent()).toBe('%');
    // The rightmost tick sits at the last whole Kolkata hour divisible by 3, not at a UTC or São Paulo one.
    const placed = await ticks.evaluateAll((els) =>
      els.map((e) => ({ label: e.getAttribute('data-hour') ?? '', x: Number(e.getAttribute('x1')) })),
    );
    const last = placed.reduce((a, b) => (b.x > a.x ? b : a));
    const hour = new Intl.DateTimeFormat('en-GB', {
      timeZone: ZONE,
      hourCycle: 'h23',
      hour: '2-digit',
      minute: '2-digit',
    });
    let t = Math.floor(Date.now() / 900_000) * 900_000;
    while (!/^(00|03|06|09|12|15|18|21):00$/.test(hour.format(new Date(t)))) t -= 900_000;
    expect(last.label).toBe(hour.format(new Date(t)));
    const expectedX = 34 + 262 * (1 - (Date.now() - t) / 86_400_000);
    expect(Math.abs(last.x - expectedX)).toBeLessThan(1.2);

    const threshold = chart.locator('[data-testid=threshold-line]');
    expect(await threshold.getAttribute('y1')).toBe('50.0');
    expect(await threshold.locator('title').textContent()).toBe('alert below 50 % (major)');
    // The gateway's incident is shaded where its cameras count (camera coverage), not on the pollution
    // monitors' chart.
    const cameras = page.locator('.cg-trend[data-indicator="L2.2.1"]');
    const mark = cameras.locator(`[data-testid=incident-mark][data-incident="${incidentId}"]`);
    await expect.poll(() => mark.count(), { timeout: 30_000 }).toBe(1);
    expect(await chart.locator('[data-testid=incident-mark]').count()).toBe(0);
    expect(await mark.locator('title').textContent()).toMatch(
      new RegExp(
        `^Incident ${incidentId}: gateway gw-1 \\(centre\\), raised \\d\\d:\\d\\d:\\d\\d GMT\\+5:30, open$`,
      ),
    );
    await screenshot(page, 'dashboard-gauges.png');
  }, 60_000);

  it('opens the devices behind a gauge and what its 0 means on a click', async () => {
    await page.locator('.cg-card[data-indicator="availability.cctv"]').first().click();
    const panel = page.locator('[data-testid=explain][data-indicator="availability.cctv"]');
    await expect.poll(() => panel.isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await panel.locator('[data-testid=explain-zero]').textContent()).toBe(
      'What a 0 means: 0 of 4 cctv devices are online',
    );
    expect(await panel.locator('[data-testid=explain-why]').textContent()).toContain(
      '0 of 4 cctv devices are online',
    );
    const reasons = await panel
      .locator('[data-testid=explain-devices] tbody tr')
      .evaluateAll((rows) =>
        rows.map((r) => [...r.querySelectorAll('td')].slice(0, 3).map((c) => c.textContent)),
      );
    expect(reasons.sort()).toEqual([
      ['cam-1', 'cctv', 'behind an offline gateway'],
      ['cam-2', 'cctv', 'behind an offline gateway'],
      ['cam-3', 'cctv', 'never heard'],
      ['cam-4', 'cctv', 'never heard'],
    ]);
    await screenshot(page, 'dashboard-explain.png');
    await page.keyboard.press('Escape');
    await expect.poll(() => panel.count(), { timeout: 5_000 }).toBe(0);
    expect(errors).toEqual([]);
  }, 60_000);
});

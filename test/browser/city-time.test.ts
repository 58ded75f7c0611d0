// Times on the dashboard are the city's (city.json timeZone), not the browser's nor the machine's, and a
// gauge at 0 says why: the city is in Tokyo, the machine in New York, the browser in São Paulo.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from '../support/browser.js';
import type { CityProcess } from '../support/city-process.js';
import { startDashboardCity } from '../support/dashboard-city.js';
import { openAs, person } from '../support/people.js';
import { tempDir } from '../support/tmp.js';

// An engineer: the city page and the field engineers' device lookup are both theirs to see.
const engineer = person('dana.duty', 'engineer');
let city: CityProcess;
let browser: Browser;
let gateway: MqttClient;

beforeAll(async () => {
  const inventory = tempDir('citygauge-inv-');
  cpSync('test/fixtures/town', inventory, { recursive: true });
  const cityJson = JSON.parse(readFileSync(join(inventory, 'city.json'), 'utf8'));
  writeFileSync(join(inventory, 'city.json'), JSON.stringify({ ...cityJson, timeZone: 'Asia/Tokyo' }));
  city = await startDashboardCity(inventory, [engineer], 'city-time-admin-token-0123456789abcdef', {
    TZ: 'America/New_York',
  });
  browser = await launchBrowser();
  const { body } = await city.api('POST', '/api/devices/gw-1/secret');
  gateway = await city.connect({ clientId: 'gw-1', username: 'gw-1', password: body.secret });
  await gateway.publishAsync('city/cctv-gateway/gw-1/status', JSON.stringify({ state: 'online' }), {
    qos: 1,
    retain: true,
  });
}, 90_000);

afterAll(async () => {
  gateway?.end(true);
  await browser?.close();
  await city?.stop();
});

async function open(path: string): Promise<{ page: Page; errors: string[] }> {
  const opened = await openAs(browser, city.http, engineer, { timezoneId: 'America/Sao_Paulo' });
  await opened.page.goto(`${city.http}${path}`);
  return opened;
}

// Tokyo in en-US short form; São Paulo would be GMT-3, New York EST.
const TOKYO = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT\+9$/;

describe("the city's time zone on the pages", () => {
  it('says the zone in the start banner', () => {
    expect(city.output()).toMatch(/time zone +Asia\/Tokyo/);
  });

  it('shows the last update in the city zone and says why L1.2.2 reads 0', async () => {
    const { page, errors } = await open('/dashboard/city');
    const updated = page.locator('[data-testid=last-update]');
    await expect
      .poll(async () => (await updated.textContent())?.replace('Last update: ', ''), { timeout: 20_000 })
      .toMatch(TOKYO);
    const why = page.locator('[data-indicator="L1.2.2"] [data-testid=why]').first();
    await expect
      .poll(() => why.textContent(), { timeout: 30_000 })
      .toBe('0 of 2 routes have a bus in service (no arrival forecast in the last 5 min)');
    await screenshot(page, 'dashboard-city-time.png');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows when an alert was raised in the city zone', async () => {
    // No sensor is online in the town: this threshold raises its alert after a second.
    const put = await city.api('PUT', '/api/thresholds', [
      { indicator: 'availability.sensor', scope: 'city', below: 50, clearAt: 60, forS: 1, severity: 'major' },
    ]);
    expect(put.status).toBe(200);
    const { page, errors } = await open('/dashboard/city');
    const raised = page.locator('[data-indicator="availability.sensor"][data-alert] [data-testid=raised-at]');
    await expect.poll(() => raised.first().textContent(), { timeout: 30_000 }).toMatch(TOKYO);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows device lookup times in the city zone', async () => {
    const { page, errors } = await open('/dashboard/field');
    await page.locator('[data-testid=lookup-id]').fill('gw-1');
    await page.locator('[data-testid=lookup-submit]').click();
    await expect
      .poll(() => page.locator('[data-testid=since]').textContent(), { timeout: 20_000 })
      .toMatch(TOKYO);
    const received = await page.locator('[data-testid=message] td:first-child').allTextContents();
    expect(received.length).toBeGreaterThan(0);
    for (const t of received) expect(t).toMatch(/^\d\d:\d\d:\d\d GMT\+9$/);
    expect(errors).toEqual([]);
    await page.close();
  });
});

// The operators' maintenance page and the city page's error budgets in Debian's Chromium, against
// `citygauge start` (issue 14 items 2 and 5). The city is in Tokyo and the browser in São Paulo: a window
// typed on the page is the city's wall-clock time, shown back in the city's zone.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from '../support/browser.js';
import type { CityProcess } from '../support/city-process.js';
import { startDashboardCity } from '../support/dashboard-city.js';
import { openAs, person } from '../support/people.js';
import { tempDir } from '../support/tmp.js';

const operator = person('olga.ops', 'operator');
const viewer = person('vic.view', 'viewer');
let city: CityProcess;
let browser: Browser;
let gateway: MqttClient;

interface Window {
  id: string;
  status: string;
  start: string;
  end: string;
  reason: string;
  devices: string[];
  deviceCount: number;
  by: string;
}

beforeAll(async () => {
  const inventory = tempDir('citygauge-inv-');
  cpSync('test/fixtures/town', inventory, { recursive: true });
  const cityJson = JSON.parse(readFileSync(join(inventory, 'city.json'), 'utf8'));
  writeFileSync(
    join(inventory, 'city.json'),
    JSON.stringify({
      ...cityJson,
      timeZone: 'Asia/Tokyo',
      objectives: [{ indicator: 'availability.cctv', scope: 'city', target: 99.5, window: '30d' }],
    }),
  );
  city = await startDashboardCity(inventory, [operator, viewer], 'maintenance-admin-token-0123456789abcdef');
  browser = await launchBrowser();
  // The gateway and its cameras online: camera availability has a value for the budget to work on.
  const { body } = await city.api('POST', '/api/devices/gw-1/secret');
  gateway = await city.connect({ clientId: 'gw-1', username: 'gw-1', password: body.secret });
  await gateway.publishAsync('city/cctv-gateway/gw-1/status', JSON.stringify({ state: 'online' }), {
    qos: 1,
    retain: true,
  });
  for (const cam of ['cam-1', 'cam-2'])
    await gateway.publishAsync(
      `city/cctv/${cam}/status`,
      JSON.stringify({ state: 'online', video: 'ok', shared: true }),
      { qos: 1, retain: true },
    );
}, 90_000);

afterAll(async () => {
  gateway?.end(true);
  await browser?.close();
  await city?.stop();
});

const windows = async () => (await city.api('GET', '/api/maintenance')).body as Window[];

describe('the maintenance page', () => {
  it('plans a window in the city’s time from a browser elsewhere, in the operator’s name, and cancels it', async () => {
    const { page, errors } = await openAs(browser, city.http, operator, { timezoneId: 'America/Sao_Paulo' });
    await page.goto(`${city.http}/dashboard/maintenance`);
    const form = page.locator('[data-testid=maintenance-form]');
    await expect.poll(() => form.textContent(), { timeout: 20_000 }).toContain('Start (Asia/Tokyo)');
    await form.locator('input[name=start]').fill('2027-03-01T09:00');
    await form.locator('input[name=end]').fill('2027-03-01T11:30');
    await form.locator('input[name=reason]').fill('replace the lens');
    await form.locator('input[name=devices]').fill('cam-1, cam-2');
    await page.locator('[data-testid=maintenance-plan]').click();
    await expect
      .poll(() => page.locator('[data-testid=maintenance-notice]').textContent(), { timeout: 15_000 })
      .toBe('Planned: replace the lens (2 devices).');

    // 09:00 in Tokyo is midnight UTC (São Paulo would have made it 12:00 UTC), and the API has it as Olga's.
    const [planned] = await windows();
    expect(planned).toMatchObject({
      status: 'planned',
      start: '2027-03-01T00:00:00.000Z',
      end: '2027-03-01T02:30:00.000Z',
      reason: 'replace the lens',
      devices: ['cam-1', 'cam-2'],
      deviceCount: 2,
      by: operator.name,
    });
    // The list shows it back in the city's zone, whoever's browser reads it.
    const row = page.locator(`[data-testid=maintenance-window][data-id="${planned.id}"]`);
    await expect.poll(() => row.textContent(), { timeout: 15_000 }).toContain('2027-03-01 09:00:00 GMT+9');
    expect(await row.textContent()).toContain('2027-03-01 11:30:00 GMT+9');
    await screenshot(page, 'maintenance.png');

    await row.locator('[data-testid=maintenance-cancel]').click();
    await expect.poll(async () => (await windows())[0]?.status, { timeout: 15_000 }).toBe('cancelled');
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 15_000 }).toBe('cancelled');
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);
  // A viewer is sent no maintenance page: test/browser/people.test.ts.
});

describe('the error budgets on the city page', () => {
  it('shows each objective’s budget left as the API computes it', async () => {
    const { body } = await city.api('GET', '/api/objectives');
    const objectives = body as { indicator: string; target: number; budgetLeftText: string }[];
    expect(objectives.map((o) => [o.indicator, o.target])).toEqual([['availability.cctv', 99.5]]);
    const { page, errors } = await openAs(browser, city.http, viewer);
    await page.goto(`${city.http}/dashboard/city`);
    const left = page.locator('[data-testid=budgets] [data-testid=budget-left]').first();
    // The page reads GET /api/objectives at start and every minute; the text moves with the clock.
    const apiText = async () =>
      ((await city.api('GET', '/api/objectives')).body as { budgetLeftText: string }[])[0].budgetLeftText;
    await expect
      .poll(async () => (await left.textContent()) === (await apiText()), { timeout: 90_000 })
      .toBe(true);
    expect(await left.textContent()).toMatch(/left$/);
    expect(await page.locator('[data-testid=budgets]').textContent()).toContain('availability.cctv');
    await screenshot(page, 'dashboard-budgets.png');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});

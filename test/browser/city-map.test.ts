// The City page's map in Debian's Chromium, against `citygauge start` on the sample city (issue 15 item 1):
// the six districts' outlines with their names, every device gathered into cells drawn with counts, and a
// camera behind a gateway that went offline listed with how long it has been down and why.
import type { MqttClient } from 'mqtt';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from '../support/browser.js';
import type { CityProcess } from '../support/city-process.js';
import { startDashboardCity } from '../support/dashboard-city.js';
import { openAs, person } from '../support/people.js';

const viewer = person('vera.viewer', 'viewer');
let city: CityProcess;
let browser: Browser;
let gateway: MqttClient;

beforeAll(async () => {
  city = await startDashboardCity('examples/sample-city', [viewer], 'city-map-admin-token-0123456789abcdef');
  browser = await launchBrowser();
  const { body } = await city.api('POST', '/api/devices/gw-01/secret');
  gateway = await city.connect({ clientId: 'gw-01', username: 'gw-01', password: body.secret });
  const say = (topic: string, payload: object) =>
    gateway.publishAsync(topic, JSON.stringify(payload), { qos: 1, retain: true });
  await say('city/cctv-gateway/gw-01/status', { state: 'online' });
  await say('city/cctv/cam-0001/status', { state: 'online', video: 'ok', shared: true });
  await city.until(
    async () => (await city.api('GET', '/api/devices/cam-0001/status')).body.status?.online,
    (online) => online === true,
    'cam-0001 online through gw-01',
  );
  // The gateway goes offline: the camera goes dark behind it.
  await say('city/cctv-gateway/gw-01/status', { state: 'offline' });
}, 90_000);

afterAll(async () => {
  gateway?.end(true);
  await browser?.close();
  await city?.stop();
});

describe('the City page map', () => {
  it('draws the district outlines with names, the devices as cells, and why a camera is down', async () => {
    const down = await city.until(
      async () => (await city.api('GET', '/api/devices/down')).body,
      (d) =>
        d.devices.some(
          (x: { id: string; cause: string }) => x.id === 'cam-0001' && x.cause === 'behind-gateway',
        ),
      'cam-0001 down behind gw-01 in the API',
    );
    expect(down.devices.slice(0, 2).map((d: Record<string, unknown>) => [d.id, d.cause, d.gateway])).toEqual([
      ['gw-01', 'offline', null],
      ['cam-0001', 'behind-gateway', 'gw-01'],
    ]);

    const { page, errors } = await openAs(browser, city.http, viewer);
    await page.goto(`${city.http}/dashboard/city`);
    const names = page.locator('[data-testid=district-name]');
    await expect
      .poll(() => names.allTextContents(), { timeout: 30_000 })
      // As GET /api/districts lists them: by id.
      .toEqual(['Eastfield', 'Harbor', 'Northgate', 'Old Town', 'Riverside', 'University']);
    expect(await page.locator('[data-testid=district-outline] path').count()).toBe(6);

    // Every one of the 2,970 devices is in a cell; far fewer circles than devices reach the page.
    const clusters = page.locator('[data-testid=map-cluster]');
    await expect
      .poll(
        async () =>
          (await clusters.evaluateAll((gs) => gs.map((g) => Number(g.getAttribute('data-count'))))).reduce(
            (a, b) => a + b,
            0,
          ),
        {
          timeout: 30_000,
        },
      )
      .toBe(2970);
    const drawn = await clusters.count();
    expect(drawn).toBeGreaterThan(20);
    expect(drawn).toBeLessThanOrEqual(40 * 40);

    const row = page.locator('[data-testid=down-row][data-device="cam-0001"]');
    await expect
      .poll(() => row.locator('[data-testid=down-why]').textContent(), { timeout: 30_000 })
      .toBe('behind gateway gw-01, which is down');
    expect(await row.locator('[data-testid=down-for]').textContent()).toMatch(
      /^down (under a minute|\d+ min)$/,
    );
    const gw = page.locator('[data-testid=down-row][data-device="gw-01"] [data-testid=down-why]');
    expect(await gw.textContent()).toBe('offline: it said so (status or Last Will)');
    // The never-heard rest of the city is counted, below the devices that failed.
    expect(await page.locator('[data-testid=map-summary]').textContent()).toMatch(
      /^2970 of 2970 devices down/,
    );
    await expect
      .poll(() => page.locator('[data-testid=map-down][data-device="cam-0001"]').count(), { timeout: 15_000 })
      .toBe(1);

    await screenshot(page, 'dashboard-map.png');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});

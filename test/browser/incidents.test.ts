// The city page's incidents and data quality in Debian's Chromium, against `citygauge start` (issue 14
// items 1 and 3): a gateway that stops is one incident naming its dark cameras, which an operator opens and
// acknowledges from the page; a value from half its cameras is greyed out and says why, as the API does.
import type { MqttClient } from 'mqtt';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from '../support/browser.js';
import type { CityProcess } from '../support/city-process.js';
import { startDashboardCity, townGatewayLost } from '../support/dashboard-city.js';
import { openAs, person } from '../support/people.js';

const operator = person('olga.ops', 'operator');
let city: CityProcess;
let browser: Browser;
let gateway: MqttClient;

interface Incident {
  id: string;
  cause: string;
  subject: string;
  effects: string[];
  status: string;
  acknowledgedBy: string | null;
  timeline: { kind: string; by?: string }[];
}

beforeAll(async () => {
  city = await startDashboardCity('test/fixtures/town', [operator], 'incidents-admin-token-0123456789abcdef');
  browser = await launchBrowser();
  // The gateway stops: its cameras go dark behind it.
  gateway = await townGatewayLost(city);
}, 90_000);

afterAll(async () => {
  gateway?.end(true);
  await browser?.close();
  await city?.stop();
});

describe('incidents on the city page', () => {
  it('shows a gateway loss as one incident naming its dark cameras, acknowledged from the page', async () => {
    const incidents = await city.until(
      async () => (await city.api('GET', '/api/incidents')).body as Incident[],
      (list) => list.length > 0,
      'the gateway incident in the API',
    );
    expect(incidents.map((i) => [i.cause, i.subject, [...i.effects].sort()])).toEqual([
      ['gateway', 'gw-1', ['cam-1', 'cam-2']],
    ]);
    const [incident] = incidents;

    const { page, errors } = await openAs(browser, city.http, operator);
    await page.goto(`${city.http}/dashboard/city`);
    const row = page.locator(`[data-testid=incident-row][data-incident="${incident.id}"]`);
    await expect
      .poll(() => row.locator('[data-testid=incident-what]').textContent(), { timeout: 30_000 })
      .toBe('gateway gw-1, 2 cameras dark behind it (centre)');
    expect(await page.locator('[data-testid=incident-row]').count()).toBe(1);

    await row.click();
    const detail = page.locator(`[data-testid=incident-detail][data-incident="${incident.id}"]`);
    await expect
      .poll(() => detail.locator('[data-testid=incident-timeline]').textContent(), { timeout: 15_000 })
      .toContain('raised');
    await detail.locator('[data-testid=incident-ack]').click();
    // Acknowledged in the operator's own name, in the API and on the row.
    const acked = await city.until(
      async () => (await city.api('GET', `/api/incidents/${incident.id}`)).body as Incident,
      (i) => i.acknowledgedBy !== null,
      'the incident acknowledged',
    );
    expect(acked.acknowledgedBy).toBe(operator.name);
    expect(acked.timeline.map((e) => [e.kind, e.by ?? null])).toContainEqual(['acknowledged', operator.name]);
    await expect
      .poll(() => row.locator('[data-testid=incident-state]').textContent(), { timeout: 15_000 })
      .toContain(`acknowledged by ${operator.name}`);
    await screenshot(page, 'dashboard-incidents.png');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});

describe('data quality on the city page', () => {
  it('greys out the camera availability heard from 2 of its 4 cameras, with the API’s reason', async () => {
    const quality = async () =>
      (await city.api('GET', '/api/indicators/availability.cctv')).body.quality as {
        flag: string;
        reason: string;
        expected: number;
      };
    expect(await quality()).toMatchObject({ flag: 'degraded', expected: 4 });
    const { page, errors } = await openAs(browser, city.http, operator);
    await page.goto(`${city.http}/dashboard/city`);
    const card = page.locator('.cg-card[data-indicator="availability.cctv"]').first();
    await expect.poll(() => card.getAttribute('data-quality'), { timeout: 30_000 }).toBe('degraded');
    expect(await card.getAttribute('class')).toContain('cg-degraded');
    // The reason moves as the cameras' last messages age; the page follows the API's.
    await expect
      .poll(
        async () =>
          (await card.locator('[data-testid=quality]').textContent()) ===
          `degraded: ${(await quality()).reason}`,
        { timeout: 30_000 },
      )
      .toBe(true);
    await screenshot(page, 'dashboard-quality.png');
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);
});

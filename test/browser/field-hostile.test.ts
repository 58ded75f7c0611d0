// The field engineers' page refuses what the API refuses (issue 10 items 2 and 11): a typo'd district and a
// 900,000-character one typed into the register form are shown refused with the API's reason, nothing is
// registered, and no indicator topic of such a district is ever published. The page has no server route of
// its own: Node-RED posts the form to POST /api/devices (flows/src/field.mjs).
import type { MqttClient } from 'mqtt';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { type CityProcess, startCity } from '../support/city-process.js';
import { addPerson, openAs, person } from '../support/people.js';
import { tempDir } from '../support/tmp.js';

const ADMIN = 'field-hostile-admin-token-0123456789';
// A field engineer, signed in through the sign-in page: the register form is theirs.
const engineer = person('fay.field', 'engineer');
let city: CityProcess;
let browser: Browser | undefined;
let watcher: MqttClient | undefined;
const topics: string[] = [];

beforeAll(async () => {
  const dataDir = tempDir();
  await addPerson(dataDir, engineer);
  city = await startCity(
    ['--inventory', 'test/fixtures/town', '--no-sim'],
    { CITYGAUGE_ADMIN_TOKEN: ADMIN },
    dataDir,
  );
  await city.until(
    async () =>
      (await fetch(`${city.http}/dashboard/`, { redirect: 'manual' }).catch(() => undefined))?.status,
    (s) => s === 302,
    'Node-RED serving /dashboard',
    30_000,
  );
  const token = /MQTT account\s+service:node-red \/ (\S+)/.exec(city.output())?.[1];
  if (!token) throw new Error(`no service:node-red token in the output:\n${city.output()}`);
  watcher = await city.connect({ clientId: 'field-watch', username: 'service:node-red', password: token });
  watcher.on('message', (topic) => topics.push(topic));
  await watcher.subscribeAsync('city/indicators/#');
  browser = await launchBrowser();
}, 90_000);

afterAll(async () => {
  watcher?.end(true);
  await browser?.close();
  await city?.stop();
});

async function register(id: string, district: string): Promise<string> {
  const { page, errors } = await openAs(browser!, city.http, engineer);
  await page.goto(`${city.http}/dashboard/field`);
  const form = page.locator('[data-testid=register]');
  await form.locator('input[name=id]').fill(id);
  await form.locator('select[name=kind]').selectOption('transit-beacon');
  await form.locator('input[name=district]').fill(district);
  await page.locator('[data-testid=register-submit]').click();
  const shown = (await page.locator('[data-testid=register-error]').textContent({ timeout: 20_000 })) ?? '';
  expect(errors).toEqual([]);
  await page.close();
  return shown;
}

describe('the field engineers’ register form', () => {
  it('refuses a district the city does not have, naming the ones it has', async () => {
    expect(await register('bus-7', 'atlantis')).toMatch(
      /Refused \(400\): district: unknown district 'atlantis' \(known: centre, north\)/,
    );
    expect((await city.api('GET', '/api/devices/bus-7')).status).toBe(404);
  }, 60_000);

  it('refuses a 900,000-character district with the limit, registering and publishing nothing', async () => {
    const shown = await register('bus-8', 'd'.repeat(900_000));
    expect(shown).toMatch(/Refused \(400\): .*district.*at most 64 characters/);
    expect(shown.length).toBeLessThan(1000);
    expect((await city.api('GET', '/api/devices/bus-8')).status).toBe(404);
    // A registration that is taken rebuilds the engine and republishes; still only short, known topics.
    expect(
      (await city.api('POST', '/api/devices', { id: 'bus-9', kind: 'transit-beacon', district: 'north' }))
        .status,
    ).toBe(201);
    await city.until(
      () => topics.filter((t) => t.endsWith('/north')).length,
      (n) => n > 0,
      'north indicators',
    );
    expect(Math.max(...topics.map((t) => Buffer.byteLength(t)))).toBeLessThan(100);
    expect(topics.filter((t) => t.includes('ddd') || t.includes('atlantis'))).toEqual([]);
  }, 60_000);
});

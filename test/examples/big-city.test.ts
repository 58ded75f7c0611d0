// The generated big city for the cluster's checks (issue 11 items 8 and 10): 25,000+ devices and 1M+
// messages, a city unlike the sample, made once and shared by every test file that asks for it.
import { readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../registry/inventory.js';
import { loadInventoryDir } from '../../registry/load-inventory.js';
import { type BigCity, bigCity } from '../support/big-city.js';

let city: BigCity;
let inv: Inventory;

beforeAll(async () => {
  city = await bigCity();
  process.stderr.write(
    `big city: ${city.devices} devices, ${city.messages} messages, ${(city.bytes / 2 ** 20).toFixed(0)} MiB` +
      (city.madeInSeconds ? `, made in ${city.madeInSeconds.toFixed(1)} s\n` : ', reused\n'),
  );
  const loaded = await loadInventoryDir(city.inventoryDir, { strict: true });
  expect(loaded.errors).toEqual([]);
  inv = loaded.inventory;
}, 300_000);

describe('bigCity()', () => {
  it('is a city of 25,000+ devices the registry accepts whole, with 1M+ recorded messages', () => {
    expect(inv.devices.size).toBe(city.devices);
    expect(city.devices).toBeGreaterThanOrEqual(25_000);
    expect(city.messages).toBeGreaterThanOrEqual(1_000_000);
    expect(statSync(city.recording).size).toBe(city.bytes);
    const bytes = readFileSync(city.recording);
    let lines = 0;
    for (let nl = bytes.indexOf(10); nl >= 0; nl = bytes.indexOf(10, nl + 1)) lines++;
    expect(lines).toBe(city.messages);
  });

  it('is unlike the sample city: another zone, twelve districts, synthetic transit, bigger gateways', () => {
    expect(inv.city.name).toBe('Front Range Metro');
    expect(inv.city.timeZone).toBe('America/Denver');
    const districts = new Set([...inv.devices.values()].map((d) => d.district));
    expect(districts.size).toBe(12);
    expect(districts.has('old-town')).toBe(false);
    expect(inv.routes.size).toBe(180);
    const behind = new Map<string, number>();
    for (const d of inv.devices.values())
      if (d.gatewayId) behind.set(d.gatewayId, (behind.get(d.gatewayId) ?? 0) + 1);
    expect(behind.size).toBe(224);
    // The sample city's gateways serve 40–49 cameras each.
    expect(Math.min(...behind.values())).toBeGreaterThan(55);
  });

  it('is made by one of several callers at once, the others waiting for it', async () => {
    const small = { devices: 3000, hours: 0.02, seed: Date.now() % 100_000 };
    const all = await Promise.all([bigCity(small), bigCity(small), bigCity(small)]);
    expect(all.filter((c) => c.madeInSeconds > 0)).toHaveLength(1);
    expect(new Set(all.map((c) => c.recording)).size).toBe(1);
    expect(all.map((c) => c.messages)).toEqual([all[0].messages, all[0].messages, all[0].messages]);
    expect(all[0].devices).toBeGreaterThan(2900);
    rmSync(dirname(all[0].recording), { recursive: true, force: true });
  });

  it('is made once and then reused from its folder', async () => {
    const again = await bigCity();
    expect(again.madeInSeconds).toBe(0);
    expect(again.recording).toBe(city.recording);
    expect(statSync(join(again.inventoryDir, 'devices.csv')).mtimeMs).toBe(
      statSync(join(city.inventoryDir, 'devices.csv')).mtimeMs,
    );
  });
});

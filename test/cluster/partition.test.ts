// The cluster's partition rule: a gateway and its cameras stay in one partition, the rest spreads evenly,
// and keys do not depend on the order devices came in.
import { fileURLToPath } from 'node:url';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { groupKeys, partitionDevices, partitionOfKey } from '../../cluster/partition.js';
import type { Device, DeviceKind } from '../../registry/inventory.js';
import { loadInventoryDir } from '../../registry/load-inventory.js';
import { RUNS } from '../fuzz/runs.js';

const SAMPLE_CITY = fileURLToPath(new URL('../../examples/sample-city/', import.meta.url));

const device = (id: string, kind: DeviceKind, extra: Partial<Device> = {}): Device => ({
  id,
  kind,
  hd: false,
  expectedIntervalS: 60,
  ...extra,
});
const city = (...devices: Device[]) => ({ devices: new Map(devices.map((d) => [d.id, d])) });

describe('group keys', () => {
  it('keep a gateway with its cameras and spread everything else device by device', () => {
    const keys = groupKeys(
      city(
        device('gw-2', 'cctv-gateway'),
        device('gw-1', 'cctv-gateway'),
        device('cam-1', 'cctv', { assetId: 'plaza', gatewayId: 'gw-1' }),
        device('cam-2', 'cctv', { assetId: 'plaza', gatewayId: 'gw-2' }),
        device('cam-3', 'cctv', { assetId: 'harbour' }),
        device('pm-1', 'pipe-monitor', { assetId: 'plaza' }),
        device('bus-1', 'transit-beacon', { assetId: 'route-22' }),
        device('sen-1', 'sensor'),
      ),
    );
    expect(keys.get('gw-1')).toBe('gateway:gw-1');
    expect(keys.get('cam-1')).toBe('gateway:gw-1');
    expect(keys.get('cam-2')).toBe('gateway:gw-2');
    // The merge decides an asset's coverage from all its devices, wherever they are.
    expect(keys.get('cam-3')).toBe('device:cam-3');
    expect(keys.get('pm-1')).toBe('device:pm-1');
    expect(keys.get('bus-1')).toBe('device:bus-1');
    expect(keys.get('sen-1')).toBe('device:sen-1');
  });

  const kinds: DeviceKind[] = ['cctv', 'cctv-gateway', 'pipe-monitor', 'transit-beacon', 'sensor'];
  const devices = fc
    .uniqueArray(
      fc.record({
        id: fc.constantFrom(...Array.from({ length: 40 }, (_, i) => `d${i}`)),
        kind: fc.constantFrom(...kinds),
        asset: fc.option(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { nil: undefined }),
        gateway: fc.option(fc.constantFrom('d0', 'd1', 'd2', 'd3'), { nil: undefined }),
      }),
      { selector: (d) => d.id, maxLength: 40 },
    )
    .map((rows) =>
      rows.map((r) =>
        device(r.id, r.kind, {
          assetId: r.asset,
          gatewayId: r.kind === 'cctv' ? r.gateway : undefined,
        }),
      ),
    );

  test.prop([devices, fc.integer({ min: 1, max: 64 })], { numRuns: RUNS })(
    'a gateway and its cameras share a partition, whatever the order',
    (list, partitions) => {
      const parts = partitionDevices(city(...list), partitions);
      const reversed = partitionDevices(city(...[...list].reverse()), partitions);
      expect(reversed).toEqual(parts);
      for (const a of list) {
        for (const b of list) {
          const sameGateway =
            a.kind === 'cctv' &&
            a.gatewayId !== undefined &&
            (a.gatewayId === b.gatewayId || (a.gatewayId === b.id && b.kind === 'cctv-gateway'));
          if (sameGateway) expect(parts.get(a.id)).toBe(parts.get(b.id));
        }
        expect(parts.get(a.id)).toBeGreaterThanOrEqual(0);
        expect(parts.get(a.id)).toBeLessThan(partitions);
      }
    },
  );
});

describe('partitions', () => {
  it('hash keys with 32-bit FNV-1a, so a key lands in the same partition in every process and version', () => {
    // The published FNV-1a test vectors: a change of hash would move every device's state.
    expect(partitionOfKey('', 2 ** 32)).toBe(0x811c9dc5);
    expect(partitionOfKey('a', 2 ** 32)).toBe(0xe40c292c);
    expect(partitionOfKey('foobar', 2 ** 32)).toBe(0xbf9cf968);
    expect(partitionOfKey('foobar', 16)).toBe(0xbf9cf968 % 16);
    expect(() => partitionOfKey('x', 0)).toThrow(/whole number ≥ 1/);
  });

  it('give every device of the sample city a partition, each gateway with its cameras', async () => {
    const { inventory } = await loadInventoryDir(SAMPLE_CITY);
    const parts = partitionDevices(inventory, 8);
    expect(parts.size).toBe(inventory.devices.size);
    for (const d of inventory.devices.values())
      if (d.kind === 'cctv' && d.gatewayId) expect(parts.get(d.id)).toBe(parts.get(d.gatewayId));
    // Even: no partition holds more than 1.5 times its share of the 2,970 devices.
    const sizes = Array.from({ length: 8 }, (_, p) => [...parts.values()].filter((x) => x === p).length);
    expect(Math.max(...sizes)).toBeLessThan((1.5 * inventory.devices.size) / 8);
  });
});

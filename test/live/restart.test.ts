// A restart of `citygauge start` keeps device liveness (engine-state.bin in the data dir): a gateway heard
// just before the stop still counts as online right after the start, before it says anything again.
import { afterAll, describe, expect, it } from 'vitest';
import { type CityProcess, startCity } from '../support/city-process.js';
import { tempDir } from '../support/tmp.js';

const ADMIN = 'restart-admin-token-0123456789abcdef';
const ARGS = ['--inventory', 'test/fixtures/town', '--no-sim', '--no-red'];
const dataDir = tempDir();
let city: CityProcess | undefined;

afterAll(async () => {
  await city?.stop();
});

const until = <T>(read: () => Promise<T> | T, ok: (v: T) => boolean, what: string, ms?: number) =>
  city!.until(read, ok, what, ms);

describe('citygauge start, stopped and started again', () => {
  it('keeps a device that was online online, with the time it was last heard', async () => {
    city = await startCity(ARGS, { CITYGAUGE_ADMIN_TOKEN: ADMIN }, dataDir);
    const { body } = await city.api('POST', '/api/devices/gw-1/secret');
    const gateway = await city.connect({ clientId: 'gw-1', username: 'gw-1', password: body.secret });
    await gateway.publishAsync(
      'city/cctv-gateway/gw-1/status',
      JSON.stringify({ state: 'online', ts: Date.now() }),
      {
        qos: 1,
      },
    );
    const availability = async () =>
      (await city!.api('GET', '/api/indicators/availability.cctv-gateway')).body.value as number;
    await until(availability, (v) => v === 100, 'the gateway online');
    const before = (await city.api('GET', '/api/devices/gw-1/status')).body.status;
    // A clean disconnect: no Last Will, so the gateway stays online for 3 × 30 s after it was last heard.
    await gateway.endAsync();
    await city.stop();

    city = await startCity(ARGS, { CITYGAUGE_ADMIN_TOKEN: ADMIN }, dataDir);
    // The first snapshot after the start, with no device message since.
    expect(await availability()).toBe(100);
    const after = (await city.api('GET', '/api/devices/gw-1/status')).body;
    expect(after.status).toMatchObject({ online: true, lastSeen: before.lastSeen, since: before.since });
    expect(after.messages).toEqual([]);
  });
});

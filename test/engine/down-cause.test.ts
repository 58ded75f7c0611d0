// Why a device is down, in an operator's words (issue 15 item 1), from the engine's liveness arrays.
import { describe, expect, it } from 'vitest';
import { ONLINE } from '../../engine/city-model.js';
import { downCause } from '../../engine/down-cause.js';
import { at, TestCity } from '../support/city.js';

const city = () =>
  new TestCity({
    devices: [
      { id: 'gw-1', kind: 'cctv-gateway', district: 'centre' },
      { id: 'cam-1', kind: 'cctv', district: 'centre', gatewayId: 'gw-1' },
      { id: 'cam-2', kind: 'cctv', district: 'centre', gatewayId: 'gw-1' },
      { id: 'sen-1', kind: 'sensor', district: 'north' },
    ],
  });
const cause = (c: TestCity, id: string) => downCause(c.engine, c.engine.model.deviceIndex.get(id)!);

describe('downCause', () => {
  it('blames the gateway for a camera behind it, but not a camera that said it is offline', () => {
    const c = city();
    c.status(0, 'cctv-gateway', 'gw-1');
    c.status(0, 'cctv', 'cam-1', { video: 'ok', shared: true });
    c.status(0, 'cctv', 'cam-2', { video: 'ok', shared: true });
    c.status(10, 'cctv', 'cam-2', { state: 'offline', video: 'ok', shared: true });
    c.status(20, 'cctv-gateway', 'gw-1', { state: 'offline' });
    expect(cause(c, 'cam-1')).toEqual({ cause: 'behind-gateway', gateway: 'gw-1' });
    expect(cause(c, 'cam-2')).toEqual({ cause: 'offline', gateway: null });
    expect(cause(c, 'gw-1')).toEqual({ cause: 'offline', gateway: null });
    // Still the gateway's fault once the camera's own deadline has passed: it cannot speak without it.
    c.engine.advanceTo(at(600));
    expect(cause(c, 'cam-1')).toEqual({ cause: 'behind-gateway', gateway: 'gw-1' });
  });

  it('says never heard while neither a camera nor its gateway ever spoke, and maintenance over all', () => {
    const c = city();
    expect(cause(c, 'cam-1')).toEqual({ cause: 'never-heard', gateway: null });
    const sen = c.engine.model.deviceIndex.get('sen-1')!;
    c.heartbeat(0, 'sensor', 'sen-1');
    c.engine.advanceTo(at(600));
    expect(cause(c, 'sen-1').cause).toBe('silent');
    c.engine.devices.setMaintenance(sen, true, at(600));
    expect(cause(c, 'sen-1').cause).toBe('maintenance');
  });

  it('reads a device once online as silent where only merged condition bits are known (a cluster API node)', () => {
    const c = city();
    const sen = c.engine.model.deviceIndex.get('sen-1')!;
    const bits = c.engine.devices.mask[sen];
    c.engine.devices.setMask(sen, bits | ONLINE, at(1));
    c.engine.devices.setMask(sen, bits, at(200));
    expect(cause(c, 'sen-1').cause).toBe('silent');
  });
});

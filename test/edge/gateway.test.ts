// A CCTV gateway reports for its cameras over its own single connection (docs/contract.md §2).
import { afterEach, beforeEach, expect, it } from 'vitest';
import { GatewayAgent } from '../../edge/gateway.js';
import { tempDir } from '../support/tmp.js';
import { once, Recorder, startBroker, type TestBroker } from './harness.js';

let broker: TestBroker;
let recorder: Recorder;
let gateway: GatewayAgent;

beforeEach(async () => {
  broker = await startBroker();
  recorder = await Recorder.connect(broker.url, 'city/#');
  gateway = new GatewayAgent({
    url: broker.url,
    deviceId: 'gw-1',
    token: 'secret',
    intervalS: 0.2,
    outboxDir: tempDir('citygauge-outbox-'),
    cameras: [{ id: 'cam-1', shared: true }, { id: 'cam-2' }],
  });
});

afterEach(async () => {
  await gateway.stop({ graceful: false });
  await recorder.close();
  await broker.close();
});

const on = (topic: string, state?: string) => (m: { topic: string; payload: Record<string, unknown> }) =>
  m.topic === topic && (state === undefined || m.payload.state === state);

it('publishes status and heartbeats for itself and each camera over one connection', async () => {
  const clientIds: string[] = [];
  broker.aedes.on('client', (c) => clientIds.push(c.id));
  gateway.start();
  const gw = await recorder.waitFor(on('city/cctv-gateway/gw-1/status'));
  expect(gw.payload).toMatchObject({ state: 'online' });
  expect(gw.payload).not.toHaveProperty('video');
  const cam1 = await recorder.waitFor(on('city/cctv/cam-1/status'));
  const cam2 = await recorder.waitFor(on('city/cctv/cam-2/status'));
  expect(cam1.payload).toMatchObject({ state: 'online', video: 'ok', shared: true });
  expect(cam2.payload).toMatchObject({ state: 'online', video: 'ok', shared: false });
  await recorder.waitFor(on('city/cctv/cam-1/heartbeat'));
  await recorder.waitFor(on('city/cctv/cam-2/heartbeat'));
  await recorder.waitFor(on('city/cctv-gateway/gw-1/heartbeat'));
  expect(clientIds).toEqual(['gw-1']); // the recorder connected before; the cameras open none
  // The cameras' statuses are retained: a newcomer learns them from the broker.
  const late = await Recorder.connect(broker.url, 'city/cctv/+/status');
  await late.waitFor(on('city/cctv/cam-2/status'));
  expect(late.messages.map((m) => [m.topic, m.retain]).sort()).toEqual([
    ['city/cctv/cam-1/status', true],
    ['city/cctv/cam-2/status', true],
  ]);
  await late.close();
  // One seq counter for the connection: increasing on each camera's topics too.
  const seqs = recorder.messages
    .filter((m) => m.topic.startsWith('city/cctv/cam-1/'))
    .map((m) => m.payload.seq);
  expect(seqs).toEqual([...seqs].sort((a, b) => (a as number) - (b as number)));
});

it('reports lost video and an unreachable camera, and stops that camera’s heartbeats', async () => {
  gateway.start();
  await once(gateway, 'connect');
  gateway.setCameraVideo('cam-1', 'lost');
  const lost = await recorder.waitFor((m) => on('city/cctv/cam-1/status')(m) && m.payload.video === 'lost');
  expect(lost.payload).toMatchObject({ state: 'online', video: 'lost', shared: true });

  gateway.setCameraReachable('cam-2', false);
  const offline = await recorder.waitFor(on('city/cctv/cam-2/status', 'offline'));
  const since = recorder.messages.indexOf(offline);
  // Two heartbeat periods later, cam-1 has beaten twice more and cam-2 not at all.
  const cam1Beats = () => recorder.messages.slice(since + 1).filter(on('city/cctv/cam-1/heartbeat'));
  await recorder.waitFor(() => cam1Beats().length >= 2, 5000, 'two cam-1 heartbeats');
  expect(recorder.messages.slice(since + 1).filter(on('city/cctv/cam-2/heartbeat'))).toEqual([]);
});

it('fires its Last Will when its connection is cut, and re-announces every camera when back', async () => {
  gateway.start();
  await once(gateway, 'connect');
  expect(await gateway.drained()).toBe(true);
  gateway.interrupt(200);
  const will = await recorder.waitFor(on('city/cctv-gateway/gw-1/status', 'offline'), 5000, 'Last Will');
  expect(will.payload).toEqual({ state: 'offline' });
  const after = recorder.messages.indexOf(will);
  for (const topic of ['city/cctv-gateway/gw-1/status', 'city/cctv/cam-1/status', 'city/cctv/cam-2/status']) {
    await recorder.waitFor(
      (m) => on(topic, 'online')(m) && recorder.messages.indexOf(m) > after,
      5000,
      topic,
    );
  }
});

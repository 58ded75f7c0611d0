// The edge agent against a real aedes broker on a loopback port (docs/contract.md §2–3).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeviceAgent } from '../../edge/agent.js';
import { SensorAgent } from '../../edge/sensor.js';
import { tempDir } from '../support/tmp.js';
import { once, Recorder, startBroker, type TestBroker } from './harness.js';

let broker: TestBroker;
let recorder: Recorder;
const agents: DeviceAgent[] = [];

beforeEach(async () => {
  broker = await startBroker();
  recorder = await Recorder.connect(broker.url, 'city/#');
});

afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop({ graceful: false })));
  await recorder.close();
  await broker.close();
});

function sensor(id: string, intervalS = 0.2, outboxDir = tempDir('citygauge-outbox-')) {
  const agent = new SensorAgent({
    url: broker.url,
    deviceId: id,
    token: 'secret',
    intervalS,
    outboxDir,
    reconnect: { minMs: 50, maxMs: 200 },
  });
  agents.push(agent);
  return agent;
}

describe('DeviceAgent', () => {
  it('connects with its id as client id and username, and the token as password', async () => {
    const seen = new Promise<{ clientId: string; username?: string; password?: string }>((resolve) => {
      broker.aedes.authenticate = (client, username, password, done) => {
        resolve({ clientId: client.id, username, password: password?.toString() });
        done(null, true);
      };
    });
    sensor('s-1').start();
    expect(await seen).toEqual({ clientId: 's-1', username: 's-1', password: 'secret' });
  });

  it('publishes a retained status online on connect, then heartbeats every interval', async () => {
    const agent = sensor('s-1').start();
    const online = await recorder.waitFor((m) => m.topic === 'city/sensor/s-1/status');
    expect(online.payload).toMatchObject({ state: 'online', seq: 1 });
    expect(typeof online.payload.ts).toBe('number');
    const beat = await recorder.waitFor((m) => m.topic === 'city/sensor/s-1/heartbeat');
    expect(Object.keys(beat.payload).sort()).toEqual(['seq', 'ts']);
    // The status is retained: a newcomer gets it from the broker.
    const late = await Recorder.connect(broker.url, 'city/sensor/s-1/status');
    const retained = await late.waitFor(() => true);
    expect(retained).toMatchObject({ retain: true, payload: { state: 'online' } });
    await late.close();
    await agent.stop();
  });

  it('skips a heartbeat when a reading went out within the interval', async () => {
    const agent = sensor('s-1', 0.5).start();
    await once(agent, 'connect');
    const readings = setInterval(() => agent.report({ pm25: 12 }), 100);
    try {
      await recorder.waitFor((m) => m.topic === 'city/sensor/s-1/telemetry' && m.payload.seq === 15);
    } finally {
      clearInterval(readings);
    }
    // The status at connect and then the readings are signs of life: no heartbeat was owed.
    expect(recorder.on('city/sensor/s-1/heartbeat')).toEqual([]);
  });

  it('has its Last Will (offline, retained, QoS 1) published when its socket is destroyed', async () => {
    const agent = sensor('s-1', 30).start();
    await recorder.waitFor((m) => m.topic === 'city/sensor/s-1/status' && m.payload.state === 'online');
    agent.interrupt(60_000);
    const will = await recorder.waitFor(
      (m) => m.topic === 'city/sensor/s-1/status' && m.payload.state === 'offline',
      5000,
      'Last Will',
    );
    expect(will.payload).toEqual({ state: 'offline' });
  });

  it('says offline before a graceful stop, and no Last Will follows', async () => {
    const agent = sensor('s-1', 30).start();
    await once(agent, 'connect');
    await agent.stop({ graceful: true });
    const offline = await recorder.waitFor(
      (m) => m.topic === 'city/sensor/s-1/status' && m.payload.state === 'offline',
    );
    expect(offline.payload.seq).toBe(2);
    // A Last Will would be a second offline status without a seq.
    const later = await Recorder.connect(broker.url, 'city/sensor/s-1/status');
    const retained = await later.waitFor(() => true);
    expect(retained.payload).toMatchObject({ state: 'offline', seq: 2 });
    await later.close();
  });

  it('comes back after an interruption and says online again', async () => {
    const agent = sensor('s-1', 30).start();
    await once(agent, 'connect');
    expect(await agent.drained()).toBe(true); // else the status would be resent: a redelivery, seq 1 again
    agent.interrupt();
    await once(agent, 'connect', 5000);
    await recorder.waitFor((m) => m.topic === 'city/sensor/s-1/status' && m.payload.seq === 2);
    const statuses = recorder.on('city/sensor/s-1/status').map((m) => [m.payload.state, m.payload.seq]);
    expect(statuses).toEqual([
      ['online', 1],
      ['offline', undefined], // the Last Will
      ['online', 2],
    ]);
    expect(agent.stats.connects).toBe(2);
  });

  it('goes offline politely for a while, without a Last Will, and comes back online', async () => {
    const agent = sensor('s-1', 30).start();
    await once(agent, 'connect');
    await agent.pause(300);
    await once(agent, 'connect', 5000);
    await recorder.waitFor((m) => m.topic === 'city/sensor/s-1/status' && m.payload.seq === 3);
    const statuses = recorder.on('city/sensor/s-1/status').map((m) => [m.payload.state, m.payload.seq]);
    expect(statuses).toEqual([
      ['online', 1],
      ['offline', 2],
      ['online', 3],
    ]);
  });
});

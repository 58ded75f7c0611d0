// A zero-length client id is only for clean sessions [MQTT-3.1.3-7, -8]: with clean session 0 the embedded
// broker answers CONNACK 0x02 (identifier rejected) and closes; with clean session 1 it assigns an id.
// The refused CONNECT is written as bytes: mqtt.js (mqtt-packet) will not send one.
import { connect as tcpConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from './harness.js';

let t: TestBroker;
beforeAll(async () => {
  t = await startTestBroker();
});
afterAll(() => t.close());

/** MQTT 3.1.1 CONNECT with an empty client id, keep-alive 60 s, and the given clean-session flag. */
function connectPacket(clean: boolean): Buffer {
  const variable = Buffer.from([0, 4, ...Buffer.from('MQTT'), 4, clean ? 0x02 : 0x00, 0, 60]);
  const payload = Buffer.from([0, 0]);
  return Buffer.concat([Buffer.from([0x10, variable.length + payload.length]), variable, payload]);
}

/** Sends the bytes; resolves with everything the broker wrote once it closes the socket. */
function exchange(bytes: Buffer, timeoutMs = 10_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(t.broker.mqttPort, '127.0.0.1', () => socket.write(bytes));
    const got: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(
          `the broker kept the socket open ${timeoutMs} ms; it wrote ${Buffer.concat(got).toString('hex')}`,
        ),
      );
    }, timeoutMs);
    socket.on('data', (d) => got.push(d));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(got));
    });
  });
}

describe('a zero-length client id', () => {
  it('with clean session 0 gets CONNACK return code 2, identifier rejected, and the connection is closed', async () => {
    const before = t.broker.stats.refusals['bad-client-id'];
    const answer = await exchange(connectPacket(false));
    // CONNACK: type 2, remaining length 2, session present 0, return code 2.
    expect([...answer]).toEqual([0x20, 0x02, 0x00, 0x02]);
    expect(t.broker.stats.refusals['bad-client-id']).toBe(before + 1);
    const line = await t.waitForLog((l) => l.event === 'refused' && l.reason === 'bad-client-id');
    expect(line.address).toBe('127.0.0.1');
  });

  it('with clean session 1 connects, under an id the broker assigns', async () => {
    const client = await t.connect('pm-1', { clientId: '', clean: true, protocolVersion: 4 });
    expect(client.connected).toBe(true);
    const ids = [...Object.keys((t.broker.aedes as unknown as { clients: Record<string, unknown> }).clients)];
    expect(ids.filter((id) => id.startsWith('aedes_'))).toHaveLength(1);
    await client.publishAsync('city/pipe-monitor/pm-1/status', '{"state":"online"}', { qos: 1 });
    client.end();
  });
});

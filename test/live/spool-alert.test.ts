// Nothing lost, and said out loud: with InfluxDB unreachable, `citygauge start` spools history on disk and,
// once the spool is full, raises an alert on city/alerts/history.spool and shows the spool in /metrics.
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CityProcess, startCity } from '../support/city-process.js';
import { freePort } from '../support/ports.js';

let city: CityProcess;

beforeAll(async () => {
  const deadPort = await freePort();
  city = await startCity(
    [
      '--no-sim',
      '--no-red',
      '--influx-url',
      `http://127.0.0.1:${deadPort}`,
      '--influx-api',
      'v1',
      '--influx-db',
      'city',
      '--spool-max-mb',
      '0.004',
    ],
    { CITYGAUGE_LOG_LEVEL: 'fatal' },
  );
}, 60_000);

afterAll(async () => {
  await city?.stop();
});

describe('history spool when InfluxDB is down', () => {
  it('raises an alert when the spool is full, and /metrics shows the spooled bytes', async () => {
    const deadline = Date.now() + 20_000;
    while (!/service:engine \/ \S+/.test(city.output()) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const token = /service:engine \/ (\S+)/.exec(city.output())?.[1];
    expect(token, city.output()).toBeTruthy();
    const alert = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const c = mqtt.connect(city.mqttUrl, {
        clientId: 'alert-watcher',
        username: 'service:engine',
        password: token,
        reconnectPeriod: 0,
      });
      const timer = setTimeout(() => {
        c.end(true);
        reject(new Error(`no spool alert in 20 s\n${city.output().slice(-1500)}`));
      }, 20_000);
      c.on('connect', () => c.subscribe('city/alerts/#', { qos: 1 }));
      c.on('message', (topic, payload) => {
        if (topic !== 'city/alerts/history.spool') return;
        clearTimeout(timer);
        c.end(true);
        resolve(JSON.parse(payload.toString()));
      });
    });
    expect(alert).toMatchObject({ id: 'history.spool', event: 'raise', severity: 'major' });
    expect(String(alert.message)).toMatch(/bring InfluxDB back or raise --spool-max-mb/);
    const metrics = await (await fetch(`${city.http}/metrics`)).text();
    expect(Number(/^citygauge_history_spool_bytes (\S+)$/m.exec(metrics)?.[1])).toBeGreaterThan(4096);
  });
});

// Indicator latency: the time from a device's publish to the retained indicator on MQTT changing because of
// it. The probe sensor is the only device covering the soak's probe site, so its status flips `soak.probe`
// for its district between 100 (online) and 0 (offline), and nothing else moves it.
import mqtt from 'mqtt';

export interface ProbeResult {
  /** Wall-clock ms from the probe's publish to the indicator's new value arriving; null on timeout. */
  latencyMs: number | null;
  /** Where in the engine's 1 s snapshot period the publish fell (ms before the snapshot that carried it). */
  waitForTickMs: number | null;
}

export class IndicatorProbe {
  private online = false;
  private seq = 0;
  private waiting: { want: number; resolve: (r: { at: number; snapshotAt: number }) => void } | undefined;

  private constructor(
    private readonly device: mqtt.MqttClient,
    private readonly deviceId: string,
    readonly watcher: mqtt.MqttClient,
  ) {}

  static async open(opts: {
    url: string;
    deviceId: string;
    token: string;
    watchTopic: string;
    service: { username: string; password: string };
  }): Promise<IndicatorProbe> {
    const device = await mqtt.connectAsync(opts.url, {
      clientId: opts.deviceId,
      username: opts.deviceId,
      password: opts.token,
      reconnectPeriod: 1000,
    });
    const watcher = await mqtt.connectAsync(opts.url, {
      clientId: `soak-watch-${process.pid}`,
      ...opts.service,
      reconnectPeriod: 1000,
    });
    const probe = new IndicatorProbe(device, opts.deviceId, watcher);
    watcher.on('message', (_topic, payload) => {
      const at = performance.now();
      const w = probe.waiting;
      if (!w) return;
      const m = JSON.parse(payload.toString()) as { value: number | null; ts: string };
      if (m.value === w.want) {
        probe.waiting = undefined;
        w.resolve({ at, snapshotAt: Date.parse(m.ts) });
      }
    });
    await watcher.subscribeAsync(opts.watchTopic, { qos: 0 });
    return probe;
  }

  /** Flip the probe's status and wait (at most `timeoutMs`) for the indicator to follow. */
  async measure(timeoutMs = 10_000): Promise<ProbeResult> {
    this.online = !this.online;
    const want = this.online ? 100 : 0;
    const seen = new Promise<{ at: number; snapshotAt: number } | null>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        resolve(null);
      }, timeoutMs);
      this.waiting = {
        want,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      };
    });
    const sentWall = Date.now();
    const sent = performance.now();
    this.device.publish(
      `city/sensor/${this.deviceId}/status`,
      JSON.stringify({ state: this.online ? 'online' : 'offline', ts: sentWall, seq: ++this.seq }),
      { qos: 1, retain: true },
    );
    const r = await seen;
    return r
      ? { latencyMs: r.at - sent, waitForTickMs: Math.max(0, r.snapshotAt - sentWall) }
      : { latencyMs: null, waitForTickMs: null };
  }

  async close(): Promise<void> {
    await Promise.all([this.device.endAsync(true), this.watcher.endAsync(true)]);
  }
}

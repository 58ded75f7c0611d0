// citygauge under the ingest bench: the embedded broker with the registry's policy (per-device auth and
// ACL; the publish rate limit off, since this measures throughput, not the limiter) feeding the engine in
// process, as `citygauge start` does. Reports what reached indicator state.
import pino from 'pino';
import { Subject } from 'rxjs';
import { startBroker } from '../../broker/embedded-broker.js';
import { RegistryPolicy } from '../../broker/registry-policy.js';
import { CityEngine } from '../../engine/city-engine.js';
import { LiveCity } from '../../engine/live.js';
import type { RawMessage } from '../../engine/pipeline.js';
import { LIVE_CATALOGUE } from '../../indicators/catalogue.js';
import { buildCatalogue } from '../../indicators/load-definitions.js';
import { RegistryStore } from '../../registry/store.js';

const [portArg, dataDir, expectedArg] = process.argv.slice(2);
const expected = Number(expectedArg);
const IDLE_MS = 3000;

const store = await RegistryStore.open(dataDir);
const inventory = store.load();
const policy = new RegistryPolicy(inventory, store.credentials());
const broker = await startBroker({
  policy,
  host: '127.0.0.1',
  mqttPort: Number(portArg),
  publishRatePerClient: 0,
  logger: pino({ level: 'silent' }),
});
const catalogue = buildCatalogue(LIVE_CATALOGUE);
const engine = new CityEngine(inventory, catalogue);
const messages$ = new Subject<RawMessage>();
const live = new LiveCity({
  engine,
  messages$,
  publish: (topic, payload) => void broker.publish(topic, payload, { retain: true, qos: 1 }),
  meta: new Map(catalogue.map((d) => [d.id, { name: d.name, unit: d.unit }])),
});
live.start();

let first = 0;
let last = 0;
let idle: NodeJS.Timeout | undefined;
const seen = () => engine.accepted + Object.values(engine.rejected).reduce((a, b) => a + b, 0);
const finish = async () => {
  const received = seen();
  process.stdout.write(
    `${JSON.stringify({ received, accepted: engine.accepted, seconds: (last - first) / 1000 })}\n`,
  );
  live.stop();
  await broker.close();
  process.exit(0);
};
broker.onPublish((topic, payload) => {
  const now = performance.now();
  if (first === 0) first = now;
  last = now;
  messages$.next({ topic, payload });
  if (seen() >= expected) void finish();
  clearTimeout(idle);
  idle = setTimeout(finish, IDLE_MS);
});
process.stdout.write('ready\n');

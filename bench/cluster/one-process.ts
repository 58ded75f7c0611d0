// The one-process city under bench:cluster, as `citygauge start` runs it and bench/ingest measures it: the
// embedded broker with the registry's policy and its default limits (the front doors' too) feeding the engine
// in process. Prints "ready", then one JSON line once the engine has judged `expected` messages (accepted or
// refused: both reached indicator state), with the wall-clock instant; then waits for SIGTERM.
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

const store = await RegistryStore.open(dataDir);
const inventory = store.load();
const policy = new RegistryPolicy(inventory, store.credentials());
const broker = await startBroker({
  policy,
  host: '127.0.0.1',
  mqttPort: Number(portArg),
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

const rejected = () => Object.values(engine.rejected).reduce((a, b) => a + b, 0);
let firstAt = 0;
let reported = false;
const progress = setInterval(
  () =>
    process.stdout.write(
      `${JSON.stringify({ type: 'progress', judged: engine.accepted + rejected(), at: Date.now() })}\n`,
    ),
  1000,
);
broker.onPublish((topic, payload) => {
  if (firstAt === 0) firstAt = Date.now();
  messages$.next({ topic, payload });
  if (!reported && engine.accepted + rejected() >= expected) {
    reported = true;
    process.stdout.write(
      `${JSON.stringify({
        type: 'done',
        at: Date.now(),
        firstAt,
        accepted: engine.accepted,
        rejected: { ...engine.rejected },
      })}\n`,
    );
  }
});
process.once('SIGTERM', async () => {
  clearInterval(progress);
  live.stop();
  await broker.close();
  store.close();
  process.exit(0);
});
process.stdout.write('ready\n');

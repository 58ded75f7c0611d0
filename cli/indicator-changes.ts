// At each start: the user-defined indicators whose definition differs from the one last recorded get an
// entry in the change log and in the audit trail (as `system`), so a changed indicators.yaml is on record
// before a single value is computed with it.
import type { Logger } from 'pino';
import { LIVE_CATALOGUE } from '../indicators/catalogue.js';
import { type ChangeLogStore, recordDefinitions } from '../indicators/change-log.js';
import { openChangeLog } from '../indicators/change-log-stores.js';
import type { IndicatorDef } from '../indicators/definition.js';
import type { Actor, People } from '../people/people.js';
import { ControlPlaneError } from '../registry/postgres.js';
import { CliError } from './errors.js';
import { withPeople } from './open-people.js';
import type { DbFlag } from './open-registry.js';

const STANDARD = new Set(LIVE_CATALOGUE.map((d) => d.id));
const SYSTEM: Actor = { name: 'system', role: null, via: 'system', address: null };

/** The city's own definitions in a catalogue (the standard ones never change). */
export const userDefinitions = (catalogue: readonly IndicatorDef[]) =>
  catalogue.filter((d) => !STANDARD.has(d.id));

/** Open the change log and record the definitions that changed; the log stays open for the HTTP API. */
export async function recordIndicatorChanges(
  opts: DbFlag,
  catalogue: readonly IndicatorDef[],
  people: People | undefined,
  log: Logger,
): Promise<ChangeLogStore> {
  let store: ChangeLogStore;
  try {
    store = await openChangeLog(opts);
  } catch (err) {
    throw err instanceof ControlPlaneError ? new CliError(err.message) : err;
  }
  const changed = await recordDefinitions(store, userDefinitions(catalogue), Date.now());
  const audit = async (p: People) => {
    for (const e of changed)
      await p.record(
        SYSTEM,
        'indicator.definition',
        e.indicator,
        e.previousHash && { hash: e.previousHash },
        { hash: e.hash, definition: e.definition },
      );
  };
  for (const e of changed)
    log.info(
      { indicator: e.indicator, hash: e.hash, previous: e.previousHash },
      'indicator definition changed',
    );
  // A process without the people service (an engine with no HTTP API) opens their store for this alone.
  if (changed.length) await (people ? audit(people) : withPeople(opts, audit, { create: true }));
  return store;
}

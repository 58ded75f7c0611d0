// The people of a city in `<data-dir>/people.sqlite`: sign-in throttled per account and per address,
// sessions that end when idle, when old and when their person changes, tokens that expire and are revoked,
// one-time passwords, and an audit entry for each (people-contract.ts, run on PostgreSQL too).
import { rmSync } from 'node:fs';
import { afterAll, describe } from 'vitest';
import { SqlitePeople } from '../../people/sqlite-people.js';
import { tempDir } from '../support/tmp.js';
import { peopleStoreContract } from './people-contract.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('people on people.sqlite', () => {
  peopleStoreContract(async () => {
    const dir = tempDir('citygauge-people-');
    dirs.push(dir);
    return SqlitePeople.open(dir);
  });
});

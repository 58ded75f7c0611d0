// The pieces that put Node-RED beside the API: which URLs it answers, how shipped flows seed (and never
// silently overwrite) a city's own, and the broker credentials written for this process's account.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { connectableHost } from '../../cli/flags.js';
import { basicUser, dashboardAccess } from '../../red/dashboard-auth.js';
import { EMBEDDED_BROKER_HOST, writeBrokerCredentials } from '../../red/flow-credentials.js';
import { seedFlows } from '../../red/seed-flows.js';
import { isRedPath } from '../../red/shared-server.js';
import { tempDir } from '../support/tmp.js';

const log = pino({ level: 'silent' });

describe('isRedPath', () => {
  it('hands the editor and the dashboard to Node-RED and everything else to the API', () => {
    for (const url of ['/red', '/red/', '/red/flows', '/dashboard', '/dashboard/city', '/dashboard?x=1'])
      expect(isRedPath(url), url).toBe(true);
    for (const url of ['/', '/api/indicators', '/docs', '/redirect', '/dashboards', '/api/red', undefined])
      expect(isRedPath(url), String(url)).toBe(false);
  });
});

describe('seedFlows', () => {
  const setup = (text: string) => {
    const dir = tempDir();
    const shipped = join(dir, 'shipped.json');
    writeFileSync(shipped, text);
    return { dir, shipped, running: join(dir, 'flows.json') };
  };

  it('seeds, keeps, upgrades untouched flows, and keeps edited ones', () => {
    const { shipped, running } = setup('[{"id":"a"}]');
    expect(seedFlows(shipped, running, log)).toBe('seeded');
    expect(readFileSync(running, 'utf8')).toBe('[{"id":"a"}]');
    expect(seedFlows(shipped, running, log)).toBe('kept');
    // A new release ships new flows; nobody edited the running ones: they are upgraded.
    writeFileSync(shipped, '[{"id":"b"}]');
    expect(seedFlows(shipped, running, log)).toBe('upgraded');
    expect(readFileSync(running, 'utf8')).toBe('[{"id":"b"}]');
    // Someone deploys from the editor, then another release ships: their edit stays.
    writeFileSync(running, '[{"id":"b"},{"id":"mine"}]');
    writeFileSync(shipped, '[{"id":"c"}]');
    expect(seedFlows(shipped, running, log)).toBe('kept-local-edits');
    expect(readFileSync(running, 'utf8')).toBe('[{"id":"b"},{"id":"mine"}]');
  });

  it('refuses a broken shipped file before it blanks the dashboard', () => {
    const { shipped, running } = setup('[{"id":');
    expect(() => seedFlows(shipped, running, log)).toThrow(SyntaxError);
    expect(existsSync(running)).toBe(false);
  });
});

describe('writeBrokerCredentials', () => {
  it('gives the embedded broker nodes this process’s account and leaves other brokers and secrets alone', () => {
    const dir = tempDir();
    const flowFile = join(dir, 'flows.json');
    writeFileSync(
      flowFile,
      JSON.stringify([
        { id: 'ours', type: 'mqtt-broker', broker: EMBEDDED_BROKER_HOST },
        { id: 'theirs', type: 'mqtt-broker', broker: 'mqtt.example.org' },
        { id: 'f', type: 'function' },
      ]),
    );
    const credFile = join(dir, 'flows_cred.json');
    writeFileSync(credFile, JSON.stringify({ theirs: { user: 'u', password: 'p' }, mail: { userid: 'x' } }));
    expect(writeBrokerCredentials(flowFile, { username: 'service:node-red-embedded', token: 't1' })).toBe(1);
    expect(JSON.parse(readFileSync(credFile, 'utf8'))).toEqual({
      ours: { user: 'service:node-red-embedded', password: 't1' },
      theirs: { user: 'u', password: 'p' },
      mail: { userid: 'x' },
    });
    expect(statSync(credFile).mode & 0o077).toBe(0);
  });
});

describe('dashboardAccess', () => {
  const isAdmin = (t: string) => t === 'admin-token';

  it('is open only on a loopback-only city without a dashboard password', () => {
    expect(dashboardAccess('127.0.0.1', isAdmin, undefined).mode).toBe('open');
    expect(dashboardAccess('localhost', isAdmin, undefined).mode).toBe('open');
  });

  it('asks for the admin token when the city is reachable from the network and no password is set', () => {
    const access = dashboardAccess('0.0.0.0', isAdmin, undefined);
    if (access.mode !== 'password') throw new Error('expected a password');
    expect(access.hint).toBe('your name and the admin token');
    expect(basicUser(basic('Dana', 'admin-token'), access.verify)).toBe('Dana');
    expect(basicUser(basic('Dana', 'nope'), access.verify)).toBeUndefined();
  });

  it('takes CITYGAUGE_DASHBOARD_PASSWORD wherever it listens, and a name of the person’s choosing', () => {
    const access = dashboardAccess('127.0.0.1', isAdmin, 'ops-room');
    if (access.mode !== 'password') throw new Error('expected a password');
    expect(basicUser(basic('Dana Duty', 'ops-room'), access.verify)).toBe('Dana Duty');
    expect(basicUser(basic('Dana Duty', 'ops-roo'), access.verify)).toBeUndefined();
    expect(basicUser(basic('', 'ops-room'), access.verify)).toBeUndefined();
    expect(basicUser('Bearer ops-room', access.verify)).toBeUndefined();
    expect(basicUser(undefined, access.verify)).toBeUndefined();
  });
});

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

describe('connectableHost', () => {
  it('reaches a wildcard listener on loopback and a named address as it is', () => {
    expect(connectableHost('0.0.0.0')).toBe('127.0.0.1');
    expect(connectableHost('::')).toBe('127.0.0.1');
    expect(connectableHost('10.1.2.3')).toBe('10.1.2.3');
    expect(connectableHost('127.0.0.1')).toBe('127.0.0.1');
  });
});

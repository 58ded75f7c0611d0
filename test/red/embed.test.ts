// The pieces that put Node-RED beside the API: which URLs it answers, how shipped flows seed (and never
// silently overwrite) a city's own, and the broker credentials written for this process's account.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { connectableHost } from '../../cli/flags.js';
import type { Role } from '../../people/roles.js';
import { signInUrl } from '../../red/dashboard-auth.js';
import { configFor, PAGE_ROLES, widgetOfEvent } from '../../red/dashboard-pages.js';
import { dashboardHooks } from '../../red/dashboard-people.js';
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

describe('signInUrl', () => {
  it('comes back to the page asked for, and never to another site', () => {
    expect(signInUrl('/signin', '/dashboard/field')).toBe('/signin?next=%2Fdashboard%2Ffield');
    expect(signInUrl('/signin', '/red/')).toBe('/signin?next=%2Fred%2F');
    expect(signInUrl('/signin', '//evil.example/x')).toBe('/signin?next=%2Fdashboard');
    expect(signInUrl('/signin', 'https://evil.example/')).toBe('/signin?next=%2Fdashboard');
    expect(signInUrl('/signin', undefined)).toBe('/signin?next=%2Fdashboard');
  });
});

describe('configFor: the pages each role is sent', () => {
  // The shape of Dashboard 2.0's ui-config: a page of the city, the field page, the audit page, a link.
  const config = {
    meta: {},
    pages: {
      'cg-page-city': { path: '/city' },
      'cg-page-field': { path: '/field' },
      'cg-page-audit': { path: '/audit' },
      'cg-link-report': { path: '/report' },
    },
    groups: {
      'g-city': { page: 'cg-page-city' },
      'g-field': { page: 'cg-page-field' },
      'g-audit': { page: 'cg-page-audit' },
    },
    widgets: {
      alerts: { props: { group: 'g-city' } },
      register: { props: { group: 'g-field' } },
      spacer: { props: { page: 'cg-page-field' } },
      trail: { props: { group: 'g-audit' } },
      style: { props: { group: '', page: '' } },
    },
  };
  const seen = (role: Role) => {
    const { config: c, withheldWidgets } = configFor(config, role);
    return {
      pages: Object.keys(c.pages ?? {}),
      groups: Object.keys(c.groups ?? {}),
      widgets: Object.keys(c.widgets ?? {}),
      withheld: [...withheldWidgets].sort(),
    };
  };

  it('sends viewers and operators neither the field page nor the audit page, nor their widgets', () => {
    for (const role of ['viewer', 'operator'] as const)
      expect(seen(role)).toEqual({
        pages: ['cg-page-city', 'cg-link-report'],
        groups: ['g-city'],
        widgets: ['alerts', 'style'],
        withheld: ['register', 'spacer', 'trail'],
      });
  });

  it('sends engineers the field page, and admins everything', () => {
    expect(seen('engineer').pages).toEqual(['cg-page-city', 'cg-page-field', 'cg-link-report']);
    expect(seen('engineer').withheld).toEqual(['trail']);
    expect(seen('admin')).toMatchObject({ pages: Object.keys(config.pages), withheld: [] });
  });

  it('names the widget of a per-widget event', () => {
    expect(widgetOfEvent('msg-input:register')).toBe('register');
    expect(widgetOfEvent('widget-load:cg-tpl-audit')).toBe('cg-tpl-audit');
    expect(widgetOfEvent('ui-config')).toBeUndefined();
  });

  it('restricts pages that exist in the shipped flows', () => {
    const flows = JSON.parse(readFileSync('flows/citygauge.json', 'utf8')) as { id: string; type: string }[];
    const pages = flows.filter((n) => n.type === 'ui-page').map((n) => n.id);
    for (const id of Object.keys(PAGE_ROLES)) expect(pages, id).toContain(id);
  });
});

describe('dashboardHooks.onAddConnectionCredentials', () => {
  const attach = dashboardHooks.onAddConnectionCredentials;
  it('names the connection’s person, whatever the browser put in the message', () => {
    const conn = { data: { person: { name: 'olga', role: 'operator' as const } } };
    const forged = { topic: 'ack', _client: { user: { name: 'ada', role: 'admin' } } };
    expect(attach(conn, forged)._client).toEqual({ user: { name: 'olga', role: 'operator' } });
    expect(attach(conn, { _client: 'x' })._client).toEqual({ user: { name: 'olga', role: 'operator' } });
    expect(attach({ data: {} }, { _client: { user: { name: 'ada' } } })._client).toEqual({});
  });
});

describe('connectableHost', () => {
  it('reaches a wildcard listener on loopback and a named address as it is', () => {
    expect(connectableHost('0.0.0.0')).toBe('127.0.0.1');
    expect(connectableHost('::')).toBe('127.0.0.1');
    expect(connectableHost('10.1.2.3')).toBe('10.1.2.3');
    expect(connectableHost('127.0.0.1')).toBe('127.0.0.1');
  });
});

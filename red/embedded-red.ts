// Node-RED 4 inside `citygauge start` (issue 5): the editor under /red for admins, Dashboard 2.0 under
// /dashboard for every signed-in person (issue 12), both on the HTTP API's port, with the flows shipped in
// `flows/`. Flows reach the city through the same doors as anyone else — MQTT (the retained indicators,
// alerts) and the HTTP API — with an account issued for this process, so nothing in them is a secret and
// they can be shared as they are; what they do for a person in the dashboard, they do in that person's name.
import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import helmet from 'helmet';
import RED from 'node-red';
import type { Logger } from 'pino';
import type { AttemptLimit } from '../http/attempt-limit.js';
import { RED_HEADERS, withHsts } from '../http/security-headers.js';
import { dashboardSettings, type WhoIs } from './dashboard-auth.js';
import { dashboardHooks, HOOKS_SETTING } from './dashboard-people.js';
import { EDITOR_ROOT, editorAdminAuth, editorGate } from './editor-auth.js';
import { editorAttemptLimit } from './editor-login.js';
import { writeBrokerCredentials } from './flow-credentials.js';
import { seedFlows } from './seed-flows.js';
import type { SharedServer } from './shared-server.js';

export interface EmbeddedRedOptions {
  server: Server;
  shared: SharedServer;
  dataDir: string;
  /** The shipped flows: `flows/citygauge.json`. */
  flowsFile: string;
  /** Base URL of the HTTP API as seen from this process. */
  apiUrl: string;
  mqttHost: string;
  mqttPort: number;
  /** MQTT username and token, and the HTTP bearer token, the flows use. */
  account: { username: string; token: string };
  /** The signed-in person of a request, by its `cg_session` cookie (red/dashboard-auth.ts). */
  whoIs: WhoIs;
  /** The sign-in page a signed-out browser is sent to, with `?next=`: `/signin`. */
  signInPath: string;
  /** True for the break-glass admin token, which still opens the editor's admin API (logged). */
  isAdminToken: (token: string) => boolean;
  /** Whether an account is an enabled admin now (the editor's tokens follow it). */
  isAdmin?: (name: string) => Promise<boolean>;
  /** Wrong tokens per client address, shared with the HTTP API's (http/attempt-limit.ts). */
  attempts: AttemptLimit;
  /** --trust-proxy: the editor's attempt limit counts the address these proxies forward, as the API's does. */
  trustProxy?: string[];
  logger: Logger;
}

export interface EmbeddedRed {
  version: string;
  flowFile: string;
  /**
   * Checks the person of every open dashboard connection now, closing those signed out, disabled or
   * given another role; resolves to how many closed. Call it after a sign-out or a change to a person.
   */
  recheckPeople(): Promise<number>;
  stop(): Promise<void>;
}

/** Environment the flows read with `${NAME}` and `env.get(NAME)`; one city per process. */
export const RED_ENV = {
  api: 'CITYGAUGE_API_URL',
  mqttHost: 'CITYGAUGE_MQTT_HOST',
  mqttPort: 'CITYGAUGE_MQTT_PORT',
  token: 'CITYGAUGE_RED_TOKEN',
} as const;

/**
 * The Node-RED package holding citygauge's Dashboard 2.0 hooks (red/dashboard-plugin), beside this file in
 * the sources and at the package root's red/ when running from dist/.
 */
export const PLUGIN_DIR = [
  new URL('./dashboard-plugin/', import.meta.url),
  new URL('../../red/dashboard-plugin/', import.meta.url),
]
  .map((u) => fileURLToPath(u))
  .find((dir) => existsSync(join(dir, 'package.json')));

export async function startEmbeddedRed(opts: EmbeddedRedOptions): Promise<EmbeddedRed> {
  const userDir = join(opts.dataDir, 'node-red');
  mkdirSync(userDir, { recursive: true });
  const flowFile = join(userDir, 'flows.json');
  seedFlows(opts.flowsFile, flowFile, opts.logger);
  writeBrokerCredentials(flowFile, opts.account);

  process.env[RED_ENV.api] = opts.apiUrl;
  process.env[RED_ENV.mqttHost] = opts.mqttHost;
  process.env[RED_ENV.mqttPort] = String(opts.mqttPort);
  process.env[RED_ENV.token] = opts.account.token;

  if (!PLUGIN_DIR)
    throw new Error('red/dashboard-plugin is missing from the installation: reinstall citygauge');
  const log = opts.logger.child({ component: 'node-red' });
  const people = { whoIs: opts.whoIs, signInPath: opts.signInPath, logger: opts.logger };
  const editor = { ...people, isAdminToken: opts.isAdminToken, isAdmin: opts.isAdmin };
  const dashboard = dashboardSettings(people);
  RED.init(opts.server, {
    httpAdminRoot: EDITOR_ROOT,
    httpNodeRoot: '/',
    userDir,
    flowFile,
    nodesDir: [PLUGIN_DIR],
    [HOOKS_SETTING]: dashboardHooks,
    // Credentials in the flows are `${ENV}` references, so there is nothing to encrypt.
    credentialSecret: false,
    adminAuth: editorAdminAuth(editor),
    dashboard,
    // No network here, and none assumed: no palette installs, no update checks.
    externalModules: { autoInstall: false, palette: { allowInstall: false, allowUpload: false } },
    telemetry: { enabled: false, updateNotification: false },
    diagnostics: { enabled: false },
    editorTheme: {
      page: { title: 'citygauge · Node-RED' },
      header: { title: 'citygauge flows' },
      projects: { enabled: false },
      tours: false,
      // Leaving the editor is not signing out of citygauge (POST /signout does that).
      logout: { redirect: '/dashboard' },
    },
    logging: {
      pino: {
        level: 'info',
        metrics: false,
        audit: false,
        handler: () => (m: { level: number; msg: unknown; type?: string; id?: string; name?: string }) => {
          const node = m.type ? { node: m.type, id: m.id, name: m.name } : {};
          const text = typeof m.msg === 'string' ? m.msg : JSON.stringify(m.msg);
          if (m.level <= 20) log.error(node, text);
          else if (m.level <= 30) log.warn(node, text);
          else if (m.level <= 40) log.info(node, text);
          else log.debug(node, text);
        },
      },
    },
  });
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', opts.trustProxy?.length ? opts.trustProxy : false);
  app.use(helmet(withHsts(RED_HEADERS, opts.shared.secure)));
  app.use(editorAttemptLimit(opts.attempts));
  app.use(EDITOR_ROOT, editorGate(editor), RED.httpAdmin);
  app.use('/', RED.httpNode);
  opts.shared.mount(app);
  await RED.start();
  return {
    version: RED.version(),
    flowFile,
    recheckPeople: dashboard.recheck,
    stop: () => RED.stop(),
  };
}

// The one HTTP server (docs/contract.md §5): fastify with zod schemas at every boundary and OpenAPI at /docs,
// generated from those same schemas. Each area is a plugin with its schemas next to its routes.
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyServerFactory,
  type RouteOptions,
} from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { Registry as PromRegistry } from 'prom-client';
import type { HistoryReader } from '../engine/sinks/points.js';
import type { ChangeLogStore } from '../indicators/change-log.js';
import { countAuditEntries } from '../people/audit-metrics.js';
import type { OidcSignIn } from '../people/oidc.js';
import type { People } from '../people/people.js';
import { EMBEDDED_RED_SUBJECT } from '../registry/credentials.js';
import { cityTimeZone } from '../registry/inventory.js';
import type { Registry } from '../registry/registry-service.js';
import { declaredAccess } from './access.js';
import { type AlertDesk, alertsPlugin } from './alerts.js';
import { asyncApiPlugin } from './asyncapi.js';
import { attemptLimitOf, tooManyAttempts } from './attempt-limit.js';
import { auditWrites } from './audit-hook.js';
import { ADMIN_SUBJECT } from './auth.js';
import { cityPlugin } from './city.js';
import type { DeviceBroker } from './device-connection.js';
import { type DeviceStatusSource, deviceStatusPlugin } from './device-status.js';
import { devicesPlugin } from './devices.js';
import { districtsPlugin } from './districts.js';
import { errorAnswer, HttpError, sendError } from './errors.js';
import { type GtfsRtSource, gtfsRtPlugin } from './gtfs-rt.js';
import { type HealthCheck, healthPlugin } from './health.js';
import { historyPlugin } from './history.js';
import { checkAccess, checkCsrf } from './identity.js';
import { type IncidentDesk, incidentsPlugin } from './incidents.js';
import { indicatorChangesPlugin } from './indicator-changes.js';
import { type IndicatorSource, indicatorsPlugin } from './indicators.js';
import { type MaintenanceSource, maintenancePlugin } from './maintenance.js';
import { metricsPlugin } from './metrics.js';
import { type ObjectiveDesk, objectivesPlugin } from './objectives.js';
import { oidcRoutesPlugin } from './oidc-routes.js';
import { peopleApiPlugin } from './people-api.js';
import { type ScorecardSource, scorecardPlugin } from './scorecard.js';
import { API_HEADERS, withHsts } from './security-headers.js';
import { signInPlugin } from './signin.js';
import { thresholdsPlugin } from './thresholds.js';

export interface ApiDeps {
  registry: Registry;
  indicators: IndicatorSource;
  metrics: PromRegistry;
  health: Record<string, HealthCheck>;
  /** Where indicator history is read from: the embedded store or InfluxDB. */
  history?: HistoryReader;
  /** The change log of user-defined indicators (GET /api/indicators/{id}/changes). */
  indicatorChanges?: ChangeLogStore;
  alerts?: AlertDesk;
  /** Root-cause incidents (issue 14 item 1): GET /api/incidents, /api/incidents/{id}, POST …/{id}/ack. */
  incidents?: IncidentDesk;
  /** Error budgets (issue 14 item 5); absent where no engine runs (an API node): figures are null. */
  objectives?: ObjectiveDesk;
  /** Liveness and last messages per device, and the devices down (GET /api/devices/{id}/status, /down). */
  deviceStatus?: DeviceStatusSource;
  /** ISO/IEC 30146 scorecard: administrative inputs and the engine's live values (GET /api/scorecard, /report). */
  scorecard?: ScorecardSource;
  /** Local hours the simulated buses run (`05:00–24:00`) when this process runs the fleet: said in `why`. */
  simulatedBusHours?: string;
  /** The people who sign in, their tokens and the audit trail; without it only the admin token writes. */
  people?: People;
  /** The embedded Node-RED's service account, which acts for the dashboard's person. */
  dashboardSubject?: string;
  /** Anyone may read, as a viewer, without signing in (a city that publishes its figures openly). */
  anonymousRead?: boolean;
  /** Sign-in at the city's OpenID provider, beside local accounts. */
  oidc?: { oidc: OidcSignIn; label: string; redirectUri: string };
  /** Where security events are logged (each use of the break-glass admin token). */
  securityLog?: Pick<FastifyBaseLogger, 'warn'>;
  /** Where a person lands after signing in: the dashboard when this process serves one. */
  home?: string;
  logger?: boolean | object;
  /** Builds the http.Server: `citygauge start` shares it with Node-RED (red/shared-server.ts). */
  serverFactory?: FastifyServerFactory;
  /**
   * Serve HTTPS with this PEM pair (--tls-cert/--tls-key), and send HSTS. With a serverFactory, the
   * factory must build its https.Server from the same pair (sharedServer(tls)).
   */
  tls?: { cert: Buffer | string; key: Buffer | string };
  /**
   * Reverse proxies whose X-Forwarded-Proto and X-Forwarded-For are believed (--trust-proxy): then
   * `req.protocol` (the session cookie's Secure) and `req.ip` (the audit trail, the attempt limit) are
   * the client's as the proxy saw it.
   */
  trustProxy?: string[];
  /** The GTFS-Realtime feeds polled for L1.2.2 (GET /api/sources/gtfs-rt; empty without). */
  gtfsRt?: GtfsRtSource;
  /** Maintenance windows (GET/POST /api/maintenance, PATCH/DELETE /api/maintenance/{id}). */
  maintenance?: Omit<MaintenanceSource, 'engine'>;
  /**
   * The broker devices connect to: its URL, with the device's user name and topic prefix, answers each
   * registration and secret rotation, and /asyncapi.json lists it. Absent: neither says where to connect.
   */
  deviceBroker?: DeviceBroker;
  /** Told of every route as it is added (tests sweep them all). */
  onRoute?: ((route: RouteOptions) => void)[];
}

const JSON_TYPE = 'application/json; charset=utf-8';
const VERSION = '0.1.0';

export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: 1024 * 1024,
    // The router's own refusals (a malformed URL, a path segment past `maxParamLength`) in the one error
    // shape too; fastify would answer them in its own.
    frameworkErrors: (err, _req, reply) => {
      const { status, body } = errorAnswer(
        err.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? new HttpError('uri-too-long', 'a path segment is longer than 100 characters: no id is that long')
          : err,
      );
      (reply as FastifyReply).code(status).type(JSON_TYPE).serializer(JSON.stringify).send(body);
    },
    ...(deps.serverFactory ? { serverFactory: deps.serverFactory } : {}),
    ...(deps.tls && !deps.serverFactory ? { https: { cert: deps.tls.cert, key: deps.tls.key } } : {}),
    ...(deps.trustProxy?.length ? { trustProxy: deps.trustProxy } : {}),
  }) as unknown as FastifyInstance;
  app.addHook('onRoute', declaredAccess);
  for (const hook of deps.onRoute ?? []) app.addHook('onRoute', hook);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  acceptEmptyJsonBodies(app);
  acceptForms(app);
  // One error shape for every route, whatever its response schemas say: an error body is serialized as
  // plain JSON, so a route's 400 schema can never turn fastify's own 400 into a 500.
  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    const { status, body } = errorAnswer(err);
    if (status >= 500) app.log.error(err);
    reply.code(status).type(JSON_TYPE).serializer(JSON.stringify).send(body);
  });
  app.setNotFoundHandler((req, reply) =>
    sendError(reply, 'not-found', `no route ${req.method} ${req.url}: see /docs`),
  );
  await app.register(helmet, withHsts(API_HEADERS, deps.tls !== undefined));
  // An address over its limit of wrong tokens is answered before its body is even read (after helmet's
  // hook, so the 429 has the security headers too).
  const attempts = attemptLimitOf(deps.registry.credentials);
  app.addHook('onRequest', async (req, reply) => {
    if (!req.headers.authorization) return;
    const wait = attempts.retryAfterS(req.ip);
    if (wait > 0) {
      const { status, body } = errorAnswer(tooManyAttempts(wait));
      return reply
        .code(status)
        .header('retry-after', String(wait))
        .type(JSON_TYPE)
        .serializer(JSON.stringify)
        .send(body);
    }
  });
  app.addHook(
    'onRequest',
    checkAccess({
      people: deps.people,
      credentials: deps.registry.credentials,
      adminSubject: ADMIN_SUBJECT,
      dashboardSubject: deps.dashboardSubject ?? EMBEDDED_RED_SUBJECT,
      anonymousRead: deps.anonymousRead,
      attempts,
      log: deps.securityLog,
    }),
  );
  app.addHook('preValidation', checkCsrf);
  if (deps.people) {
    app.addHook('onSend', auditWrites(deps.people));
    countAuditEntries(deps.people, deps.metrics);
  }
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'citygauge',
        description: 'Live ISO/IEC 30146 city indicators and the device registry',
        version: VERSION,
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
    // Schemas named with .meta({ id }) (the error body) become components the routes refer to.
    transformObject: (doc) => withoutUnusedInputs(jsonSchemaTransformObject(doc)),
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(asyncApiPlugin, { broker: deps.deviceBroker, version: VERSION });
  await app.register(healthPlugin, { checks: deps.health });
  if (deps.people) {
    const home = deps.home ?? '/docs';
    await app.register(signInPlugin, {
      people: deps.people,
      home,
      oidc: deps.oidc && { label: deps.oidc.label },
      attempts,
    });
    if (deps.oidc) await app.register(oidcRoutesPlugin, { people: deps.people, home, ...deps.oidc });
    await app.register(peopleApiPlugin, { people: deps.people });
  }
  await app.register(metricsPlugin, { registry: deps.metrics });
  await app.register(indicatorsPlugin, {
    source: deps.indicators,
    why: () => ({
      timeZone: cityTimeZone(deps.registry.inventory.city),
      simulatedBusHours: deps.simulatedBusHours,
      gtfsRt: deps.gtfsRt?.(),
    }),
  });
  await app.register(cityPlugin, { registry: deps.registry, simulatedBusHours: deps.simulatedBusHours });
  if (deps.history) {
    const model = () => deps.indicators.engine().model;
    await app.register(historyPlugin, {
      reader: deps.history,
      knownIndicator: (id) => model().indicators.some((c) => c.def.id === id),
      knownScope: (scope) => model().scopes.includes(scope),
    });
  }
  if (deps.indicatorChanges)
    await app.register(indicatorChangesPlugin, {
      changes: deps.indicatorChanges,
      knownIndicator: (id) => deps.indicators.engine().model.indicators.some((c) => c.def.id === id),
    });
  await app.register(devicesPlugin, {
    registry: deps.registry,
    engine: () => deps.indicators.engine(),
    broker: deps.deviceBroker,
  });
  await app.register(districtsPlugin, { registry: deps.registry });
  await app.register(gtfsRtPlugin, { feeds: deps.gtfsRt });
  if (deps.deviceStatus) await app.register(deviceStatusPlugin, deps.deviceStatus);
  if (deps.alerts) await app.register(alertsPlugin, { alerts: deps.alerts });
  if (deps.incidents) await app.register(incidentsPlugin, { incidents: deps.incidents });
  if (deps.scorecard)
    await app.register(scorecardPlugin, {
      ...deps.scorecard,
      cityName: () => deps.registry.inventory.city.name,
      timeZone: () => cityTimeZone(deps.registry.inventory.city),
    });
  const current = () => deps.indicators.engine().model;
  await app.register(thresholdsPlugin, {
    registry: deps.registry,
    knownIndicator: (id) => current().indicators.some((c) => c.def.id === id),
    knownScope: (scope) => current().scopes.includes(scope),
  });
  await app.register(objectivesPlugin, {
    registry: deps.registry,
    desk: deps.objectives,
    knownIndicator: (id) => current().indicators.some((c) => c.def.id === id),
    knownScope: (scope) => current().scopes.includes(scope),
  });
  if (deps.maintenance)
    await app.register(maintenancePlugin, { ...deps.maintenance, engine: () => deps.indicators.engine() });
  return app;
}

/**
 * `content-type: application/json` with an empty body is what many clients send for a POST that takes no
 * body (secret rotation): fastify refuses it (FST_ERR_CTP_EMPTY_JSON_BODY). Parse it as no body instead;
 * routes that need one still answer 400, saying so.
 */
function acceptEmptyJsonBodies(app: FastifyInstance): void {
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    json(req, text, done);
  });
  // A route with a body schema that got an empty one: say so plainly rather than in the schema's words.
  app.addHook('preValidation', async (req, reply) => {
    if (req.body !== undefined || !req.routeOptions.schema?.body) return;
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return;
    const route = `${req.method} ${req.routeOptions.url}`;
    return sendError(reply, 'bad-request', `${route} needs a JSON body: see /docs for its fields`);
  });
}

/**
 * The type provider adds an input twin (`ErrorInput`) of every named schema, whether any request uses it
 * or not: keep only those referred to, so the error body is one component.
 */
function withoutUnusedInputs(
  doc: ReturnType<typeof jsonSchemaTransformObject>,
): ReturnType<typeof jsonSchemaTransformObject> {
  const schemas = 'components' in doc ? doc.components?.schemas : undefined;
  if (!schemas) return doc;
  const text = JSON.stringify(doc);
  for (const name of Object.keys(schemas))
    if (name.endsWith('Input') && !text.includes(`"#/components/schemas/${name}"`)) delete schemas[name];
  return doc;
}

/** The sign-in and password pages post plain HTML forms. */
function acceptForms(app: FastifyInstance): void {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 16 * 1024 },
    (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
}

// The one HTTP server (CONTRACT §5): fastify with zod schemas at every boundary and OpenAPI at /docs,
// generated from those same schemas. Each area is a plugin with its schemas next to its routes.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyServerFactory,
  type RouteOptions,
} from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Registry as PromRegistry } from 'prom-client';
import type { AlertService } from '../engine/alerts/alert-service.js';
import type { HistoryReader } from '../engine/sinks/points.js';
import type { Registry } from '../registry/registry-service.js';
import { alertsPlugin } from './alerts.js';
import { type DeviceStatusSource, deviceStatusPlugin } from './device-status.js';
import { devicesPlugin } from './devices.js';
import { STATUS_CODE } from './errors.js';
import { type HealthCheck, healthPlugin } from './health.js';
import { historyPlugin } from './history.js';
import { type IndicatorSource, indicatorsPlugin } from './indicators.js';
import { metricsPlugin } from './metrics.js';
import { type ScorecardSource, scorecardPlugin } from './scorecard.js';
import { thresholdsPlugin } from './thresholds.js';

export interface ApiDeps {
  registry: Registry;
  indicators: IndicatorSource;
  metrics: PromRegistry;
  health: Record<string, HealthCheck>;
  /** Where indicator history is read from: the embedded store or InfluxDB. */
  history?: HistoryReader;
  alerts?: AlertService;
  /** Liveness and last messages per device, and the devices down (GET /api/devices/{id}/status, /down). */
  deviceStatus?: DeviceStatusSource;
  /** ISO/IEC 30146 scorecard: administrative inputs and the engine's live values (GET /api/scorecard, /report). */
  scorecard?: ScorecardSource;
  logger?: boolean | object;
  /** Builds the http.Server: `citygauge start` shares it with Node-RED (red/shared-server.ts). */
  serverFactory?: FastifyServerFactory;
  /** Told of each route as it is added, before any (the fuzz tests enumerate them this way). */
  onRoute?: (route: RouteOptions) => void;
}

export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: 1024 * 1024,
    // The router's own refusals (a path segment past `maxParamLength`, a malformed URL) in the one error
    // shape too; fastify would answer them in its own.
    frameworkErrors: (err, _req, reply) => {
      const long = err.code === 'FST_ERR_MAX_PARAM_LENGTH';
      (reply as FastifyReply).code(long ? 414 : 400).send({
        error: long ? 'uri-too-long' : 'bad-request',
        message: long ? 'a path segment is longer than 100 characters: no id is that long' : err.message,
      });
    },
    ...(deps.serverFactory ? { serverFactory: deps.serverFactory } : {}),
  });
  if (deps.onRoute) app.addHook('onRoute', deps.onRoute);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(
    (err: Error & { statusCode?: number; validation?: unknown; code?: string }, _req, reply) => {
      const status = err.validation ? 400 : (err.statusCode ?? 500);
      if (status >= 500) app.log.error(err);
      // The one error shape, serialised as is: a route's own schema for this status (e.g. one with more
      // fields) must not turn fastify's own 400s into a 500 that fails to serialise.
      reply
        .code(status)
        .type('application/json; charset=utf-8')
        .serializer(JSON.stringify)
        .send({ error: STATUS_CODE[status] ?? 'error', message: err.message });
    },
  );
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: 'not-found', message: `no route ${req.method} ${req.url}: see /docs` }),
  );
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'citygauge',
        description: 'Live ISO/IEC 30146 city indicators and the device registry',
        version: '0.1.0',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(healthPlugin, { checks: deps.health });
  await app.register(metricsPlugin, { registry: deps.metrics });
  await app.register(indicatorsPlugin, { source: deps.indicators });
  if (deps.history) {
    const model = () => deps.indicators.engine().model;
    await app.register(historyPlugin, {
      reader: deps.history,
      knownIndicator: (id) => model().indicators.some((c) => c.def.id === id),
      knownScope: (scope) => model().scopes.includes(scope),
    });
  }
  await app.register(devicesPlugin, { registry: deps.registry });
  if (deps.deviceStatus) await app.register(deviceStatusPlugin, deps.deviceStatus);
  if (deps.alerts)
    await app.register(alertsPlugin, { alerts: deps.alerts, credentials: deps.registry.credentials });
  if (deps.scorecard)
    await app.register(scorecardPlugin, {
      ...deps.scorecard,
      credentials: deps.registry.credentials,
      cityName: () => deps.registry.inventory.city.name,
    });
  const current = () => deps.indicators.engine().model;
  await app.register(thresholdsPlugin, {
    registry: deps.registry,
    knownIndicator: (id) => current().indicators.some((c) => c.def.id === id),
    knownScope: (scope) => current().scopes.includes(scope),
  });
  return app;
}

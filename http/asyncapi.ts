// `GET /asyncapi.json`: the devices' side of the broker as AsyncAPI 3.0 (engine/asyncapi.ts), public like
// the OpenAPI document at /docs/json. The servers are the broker's listeners under the name this request
// reached us by (http/device-connection.ts).
import type { FastifyPluginAsync } from 'fastify';
import { asyncApiDocument } from '../engine/asyncapi.js';
import { needs } from './access.js';
import { brokerServers, type DeviceBroker } from './device-connection.js';

export interface AsyncApiPluginOptions {
  /** The broker devices connect to; without it the document has no servers. */
  broker?: DeviceBroker;
  version: string;
}

export const asyncApiPlugin: FastifyPluginAsync<AsyncApiPluginOptions> = async (app, { broker, version }) => {
  app.get(
    '/asyncapi.json',
    {
      ...needs('public'),
      schema: {
        tags: ['devices'],
        summary: 'What devices publish and may subscribe to over MQTT, as an AsyncAPI 3.0 document',
      },
    },
    async (req, reply) =>
      reply
        .type('application/json; charset=utf-8')
        .send(asyncApiDocument({ version, servers: broker && brokerServers(broker, req.hostname) })),
  );
};

// /asyncapi.json's document: valid AsyncAPI 3.0 for @asyncapi/parser, one channel per kind and channel the
// engine accepts, and payload JSON Schemas that accept what the engine accepts and refuse what it refuses.
import { Parser } from '@asyncapi/parser';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { asyncApiDocument, MESSAGES, messageIdOf } from '../../engine/asyncapi.js';
import { schemaFor } from '../../engine/payloads.js';
import { channelsOf } from '../../engine/topic.js';
import { DEVICE_KINDS } from '../../registry/inventory.js';

const doc = asyncApiDocument({
  version: '0.1.0',
  servers: {
    mqtt: { host: 'city.example:1883', protocol: 'mqtt' },
    mqtts: { host: 'city.example:8883', protocol: 'secure-mqtt' },
  },
});

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats.default(ajv);

/** The example with its first required field given a value no schema accepts there. */
function broken(payload: Record<string, unknown>, required: string[]): Record<string, unknown> {
  return { ...payload, [required[0]]: [] };
}

describe('the AsyncAPI document', () => {
  it('is AsyncAPI 3.0 with no errors for @asyncapi/parser', async () => {
    const diagnostics = await new Parser().validate(doc as never);
    const errors = diagnostics.filter((d) => d.severity === 0);
    expect(errors.map((e) => `${e.path.join('.')}: ${e.message}`)).toEqual([]);
  });

  it('has a channel and a send operation for every channel each kind publishes, and one for commands', async () => {
    const { document } = await new Parser().parse(doc as never);
    expect(document).toBeDefined();
    const addresses = document!
      .channels()
      .all()
      .map((c) => c.address());
    for (const kind of DEVICE_KINDS) {
      for (const channel of channelsOf(kind))
        expect(addresses).toContain(`city/${kind}/{deviceId}/${channel}`);
      expect(addresses).toContain(`city/${kind}/{deviceId}/cmd/{command}`);
    }
    expect(addresses).toHaveLength(DEVICE_KINDS.reduce((n, k) => n + channelsOf(k).length + 1, 0));
    const gateway = document!.operations().get('cctv-gateway-sends-cctv-status');
    expect(gateway?.action()).toBe('send');
    expect(gateway?.channels().all()[0].address()).toBe('city/cctv/{deviceId}/status');
    expect(document!.servers().get('mqtts')?.protocol()).toBe('secure-mqtt');
    expect(document!.components().securitySchemes().all()[0].type()).toBe('userPassword');
  });

  it("describes each kind's channel with the schema the engine parses it with", () => {
    for (const kind of DEVICE_KINDS)
      for (const channel of channelsOf(kind))
        expect(MESSAGES[messageIdOf(kind, channel)].schema, `${kind} ${channel}`).toBe(
          schemaFor(kind, channel),
        );
  });

  it("each channel's payload schema accepts its examples and refuses a wrong one, as the engine does", async () => {
    const { document } = await new Parser().parse(doc as never);
    let checked = 0;
    for (const channel of document!.channels().all()) {
      const [, kind, , name] = channel.address()!.split('/');
      if (name === 'cmd') continue;
      const engine = schemaFor(kind as never, name as never);
      for (const message of channel.messages().all()) {
        const schema = message.payload()!.json() as { required: string[] };
        const validate = ajv.compile(schema);
        const examples = message.examples().all();
        expect(examples.length, channel.address()!).toBeGreaterThan(0);
        for (const example of examples) {
          const payload = example.payload() as Record<string, unknown>;
          expect(validate(payload), `${channel.address()} ${JSON.stringify(validate.errors)}`).toBe(true);
          expect(engine.safeParse(payload).success).toBe(true);
          const wrong = broken(payload, schema.required);
          expect(validate(wrong), `${channel.address()} accepts ${JSON.stringify(wrong)}`).toBe(false);
          expect(engine.safeParse(wrong).success).toBe(false);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(12);
  });

  it('says devices connect with the Last Will, keep-alive and user name and password', () => {
    const server = (doc.servers as Record<string, { bindings: { mqtt: Record<string, unknown> } }>).mqtt;
    expect(server.bindings.mqtt).toMatchObject({
      keepAlive: 30,
      lastWill: { message: '{"state":"offline"}', qos: 1, retain: true },
    });
  });

  it('leaves servers out when the broker is not known to this process', () => {
    expect(asyncApiDocument({ version: '0.1.0' })).not.toHaveProperty('servers');
  });
});

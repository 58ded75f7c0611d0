// docs/devices.md holds to the code: every payload example under a topic heading is parsed with the
// engine's own schema for that kind and channel (accepted, or refused with the reason the page gives), every
// channel of every kind has an example, the AsyncAPI document's examples are the page's, and the
// registration answer shown is what the API builds for that host.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LAST_WILL, MESSAGES, messageIdOf } from '../../engine/asyncapi.js';
import { describeIssues, schemaFor } from '../../engine/payloads.js';
import { type Channel, channelsOf } from '../../engine/topic.js';
import { deviceConnection } from '../../http/device-connection.js';
import { DEVICE_KINDS, type DeviceKind } from '../../registry/inventory.js';

const PAGE = readFileSync(new URL('../../docs/devices.md', import.meta.url), 'utf8');

interface Example {
  heading: string;
  /** The kinds and channel the heading's topic names: `<kind>` stands for every kind with the channel. */
  targets: { kind: DeviceKind; channel: Channel }[];
  json: unknown;
  refused: boolean;
  /** For a refused one: the last `code` on the line before the block, the reason the page gives. */
  reason?: string;
}

/** The ```json blocks of the page, each with the topic heading it is under (undefined outside one). */
function blocks(page: string): { heading?: string; info: string; text: string; before: string }[] {
  const out: { heading?: string; info: string; text: string; before: string }[] = [];
  const lines = page.split('\n');
  let heading: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('#')) heading = /^### `(city\/[^`]+)`$/.exec(line)?.[1];
    const fence = /^```(json.*)$/.exec(line);
    if (!fence) continue;
    const end = lines.indexOf('```', i + 1);
    const before =
      lines
        .slice(0, i)
        .filter((l) => l.trim() !== '')
        .at(-1) ?? '';
    out.push({ heading, info: fence[1].trim(), text: lines.slice(i + 1, end).join('\n'), before });
    i = end;
  }
  return out;
}

function targetsOf(topic: string): { kind: DeviceKind; channel: Channel }[] {
  const [, kind, id, channel] = topic.split('/');
  expect(id, topic).toBe('<id>');
  const kinds = kind === '<kind>' ? [...DEVICE_KINDS] : [kind as DeviceKind];
  expect(DEVICE_KINDS, topic).toEqual(expect.arrayContaining(kinds));
  return kinds
    .filter((k) => channelsOf(k).includes(channel as Channel))
    .map((k) => ({ kind: k, channel: channel as Channel }));
}

const all = blocks(PAGE);
const examples: Example[] = all
  .filter((b) => b.heading !== undefined)
  .map((b) => ({
    heading: b.heading!,
    targets: targetsOf(b.heading!),
    json: JSON.parse(b.text),
    refused: b.info === 'json refused',
    reason: [...b.before.matchAll(/`([^`]+)`/g)].at(-1)?.[1],
  }));

describe('docs/devices.md', () => {
  it('has examples under every topic heading, each naming a channel some kind publishes', () => {
    expect(examples.length).toBeGreaterThanOrEqual(10);
    for (const e of examples) expect(e.targets.length, e.heading).toBeGreaterThan(0);
  });

  it("shows payloads the engine accepts, each with its kind's and channel's own schema", () => {
    for (const e of examples.filter((x) => !x.refused))
      for (const t of e.targets) {
        const r = schemaFor(t.kind, t.channel).safeParse(e.json);
        expect(r.success, `${e.heading} as a ${t.kind}: ${JSON.stringify(e.json)}: ${r.error?.message}`).toBe(
          true,
        );
      }
  });

  it('shows refused payloads with the reason the engine gives', () => {
    const refused = examples.filter((x) => x.refused);
    expect(refused.length).toBeGreaterThanOrEqual(3);
    for (const e of refused)
      for (const t of e.targets) {
        const r = schemaFor(t.kind, t.channel).safeParse(e.json);
        expect(r.success, `${e.heading}: ${JSON.stringify(e.json)} is accepted`).toBe(false);
        expect(describeIssues(r.error!.issues), e.heading).toBe(e.reason);
      }
  });

  it('has an accepted example for every channel of every kind', () => {
    for (const kind of DEVICE_KINDS)
      for (const channel of channelsOf(kind))
        expect(
          examples.some((e) => !e.refused && e.targets.some((t) => t.kind === kind && t.channel === channel)),
          `${kind} ${channel}`,
        ).toBe(true);
  });

  it("shows the Last Will the agents send and the AsyncAPI document's examples", () => {
    expect(examples.some((e) => e.heading === 'city/<kind>/<id>/status' && isEqual(e.json, LAST_WILL))).toBe(
      true,
    );
    for (const kind of DEVICE_KINDS)
      for (const channel of channelsOf(kind)) {
        const shown = examples.filter((e) => e.targets.some((t) => t.kind === kind && t.channel === channel));
        for (const ex of MESSAGES[messageIdOf(kind, channel)].examples)
          expect(
            shown.some((e) => isEqual(e.json, ex.payload)),
            `${kind} ${channel}: ${JSON.stringify(ex.payload)} not on the page`,
          ).toBe(true);
      }
  });

  it('shows the registration answer the API builds for that host', () => {
    const answer = all.find((b) => b.heading === undefined && b.text.includes('"connection"'));
    const { connection } = JSON.parse(answer!.text);
    expect(connection).toEqual(
      deviceConnection(
        { id: 'pm-0042', kind: 'pipe-monitor' },
        { mqttPort: 1883, tlsPort: 8883 },
        'city.example.org',
      ),
    );
  });
});

function isEqual(a: unknown, b: unknown): boolean {
  try {
    expect(a).toEqual(b);
    return true;
  } catch {
    return false;
  }
}

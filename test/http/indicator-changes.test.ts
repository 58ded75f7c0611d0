// GET /api/indicators/{id}/changes: the change log of a user-defined indicator, as the store holds it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitionHash, recordDefinitions } from '../../indicators/change-log.js';
import { SqliteChangeLog } from '../../indicators/change-log-stores.js';
import { IndicatorSchema } from '../../indicators/definition.js';
import { type FullApi, fullApi } from '../support/full-api.js';
import { tempDir } from '../support/tmp.js';

const v1 = IndicatorSchema.parse({
  id: 'cams-up',
  name: 'Cameras up',
  kind: 'device-share',
  devices: { kind: 'cctv' },
  numerator: { condition: 'online' },
});
const v2 = { ...v1, numerator: { condition: 'available' as const } };

let api: FullApi;
let log: SqliteChangeLog;
beforeAll(async () => {
  log = new SqliteChangeLog(tempDir('citygauge-changes-'));
  await recordDefinitions(log, [v1], Date.parse('2026-01-05T08:00:00Z'));
  await recordDefinitions(log, [v2], Date.parse('2026-01-06T08:00:00Z'));
  api = await fullApi({ indicatorChanges: log });
});
afterAll(async () => {
  await api.close();
  await log.close();
});

const get = (id: string) =>
  api.app.inject({
    url: `/api/indicators/${id}/changes`,
    headers: { authorization: `Bearer ${api.adminToken}` },
  });

describe('GET /api/indicators/{id}/changes', () => {
  it('answers the entries oldest first, each with its hash, the one before and the definition', async () => {
    const res = await get('cams-up');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([
      expect.objectContaining({
        kind: 'definition',
        at: '2026-01-05T08:00:00.000Z',
        hash: definitionHash(v1),
        previousHash: null,
        actor: 'system',
      }),
      expect.objectContaining({
        at: '2026-01-06T08:00:00.000Z',
        hash: definitionHash(v2),
        previousHash: definitionHash(v1),
        definition: expect.objectContaining({ numerator: { condition: 'available' } }),
      }),
    ]);
  });

  it('answers [] for a known indicator without entries and 404 for an unknown id', async () => {
    expect((await get('L2.2.1.b1')).json()).toEqual([]);
    const res = await get('nope');
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toBe("no indicator 'nope'");
  });
});

describe('the definition hash', () => {
  it('is the same for the same definition written another way, and differs when it changes', () => {
    const reordered = IndicatorSchema.parse({
      numerator: { condition: 'online' },
      devices: { kind: 'cctv' },
      unit: '%',
      kind: 'device-share',
      name: 'Cameras up',
      id: 'cams-up',
    });
    expect(definitionHash(reordered)).toBe(definitionHash(v1));
    expect(definitionHash(v2)).not.toBe(definitionHash(v1));
    expect(definitionHash(v1)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

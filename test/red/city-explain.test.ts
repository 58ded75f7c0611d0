// The City page's gauge explanation (issue 15 item 1): a click asks the API for the gap behind the value, for
// the browser that clicked only, and the panel shows the devices behind it, what a 0 means, the threshold it
// is judged by and a weighted indicator's parts.
import { describe, expect, it } from 'vitest';
import { byId, flowContext, render, threshold, value } from '../support/city-page.js';

describe('a clicked gauge opens its explanation', () => {
  const client = { socketId: 'sock-1', user: { name: 'olga.ops' } };

  it('asks the API for the gap behind the value, for the browser that clicked only', () => {
    const run = flowContext();
    expect(
      run('cg-fn-explain-req', {
        topic: 'explain',
        _client: client,
        payload: { id: 'L2.2.1', scope: 'north side' },
      }),
    ).toEqual({
      topic: 'explain',
      _client: client,
      asked: { id: 'L2.2.1', scope: 'north side' },
      method: 'GET',
      headers: { authorization: 'Bearer red-token' },
      url: 'http://api/api/indicators/L2.2.1?scope=north%20side',
    });
    expect(run('cg-fn-explain-req', { topic: 'explain', payload: { id: 'L1.2.2' } }).url).toBe(
      'http://api/api/indicators/L1.2.2?scope=city',
    );
    expect(run('cg-fn-explain-req', { topic: 'ack', payload: { id: 'L1.2.2' } })).toBeNull();
    expect(run('cg-fn-explain-req', { topic: 'explain', payload: {} })).toBeNull();
    for (const widget of ['cg-tpl-headline', 'cg-tpl-districts', 'cg-tpl-explain'])
      expect(byId.get(widget)?.wires).toEqual([['cg-fn-explain-req']]);
    expect(byId.get('cg-tpl-headline')?.format).toContain(
      "this.send({ topic: 'explain', payload: { id: i.id, scope: 'city' } })",
    );
  });

  it('answers with the devices behind the gap, what a 0 means and the threshold it is judged by', async () => {
    const run = flowContext({ thresholds: [threshold('availability.cctv', 'city', 90, 95)] }, 'Asia/Tokyo');
    const devices = Array.from({ length: 53 }, (_, n) => ({
      id: `cam-${n}`,
      kind: 'cctv',
      reason: 'offline',
      since: null,
      lastSeen: null,
    }));
    const out = run('cg-fn-explain', {
      topic: 'explain',
      _client: client,
      asked: { id: 'availability.cctv', scope: 'centre' },
      statusCode: 200,
      payload: {
        ...value('availability.cctv', 'centre', 0),
        numerator: 0,
        denominator: 53,
        ts: '2026-01-05T10:00:00.000Z',
        why: '0 of 53 cctv devices are online',
        zero: '0 of 53 cctv devices are online',
        gap: { devices, assets: [] },
      },
    });
    expect(out.topic).toBe('explain');
    expect(out._client).toBe(client);
    expect(out.payload).toMatchObject({
      id: 'availability.cctv',
      scope: 'centre',
      unit: '%',
      value: 0,
      timeZone: 'Asia/Tokyo',
      why: '0 of 53 cctv devices are online',
      zero: '0 of 53 cctv devices are online',
      threshold: { below: 90, severity: 'major', against: 'city' },
      moreDevices: 3,
      assets: [],
      parts: [],
    });
    expect(out.payload.devices).toHaveLength(50);
    expect(typeof out.payload.opened).toBe('number');
    const panel = await render('cg-tpl-explain', out);
    expect(panel).toContain('data-testid="explain" data-indicator="availability.cctv" data-scope="centre"');
    expect(panel).toContain('<b>What a 0 means:</b> 0 of 53 cctv devices are online');
    expect(panel).toContain(
      'Alert below 90 % (major), against the city&#39;s threshold: centre has none of its own.',
    );
    expect(panel).toContain('Devices behind the gap (53)');
    expect(panel).toContain('<tr data-device="cam-0"><td>cam-0</td><td>cctv</td><td>never heard</td>');
    expect(panel).toContain('and 3 more');
  });

  it('counts a gap past the thousand devices the API lists, exactly', async () => {
    const devices = Array.from({ length: 1000 }, (_, i) => ({
      id: `cam-${i}`,
      kind: 'cctv',
      reason: 'offline',
      since: null,
      lastSeen: null,
    }));
    const out = flowContext()('cg-fn-explain', {
      _client: client,
      asked: { id: 'availability.cctv', scope: 'city' },
      statusCode: 200,
      payload: {
        ...value('availability.cctv', 'city', 10),
        numerator: 5_556,
        denominator: 55_556,
        ts: '2026-01-05T10:00:00.000Z',
        gap: { devices, assets: [], devicesTotal: 50_000, assetsTotal: 0 },
      },
    });
    expect(out.payload.moreDevices).toBe(49_950);
    const panel = await render('cg-tpl-explain', out);
    expect(panel).toContain('Devices behind the gap (50000)');
    expect(panel).toContain('and 49950 more');
  });

  it('offers a weighted indicator’s parts, each opening its own explanation', async () => {
    const out = flowContext()('cg-fn-explain', {
      _client: client,
      asked: { id: 'L2.2.1', scope: 'city' },
      statusCode: 200,
      payload: {
        ...value('L2.2.1', 'city', 60),
        numerator: null,
        denominator: null,
        ts: '2026-01-05T10:00:00.000Z',
        zero: 'every part with a weight reads 0',
        gap: { devices: [], assets: [], parts: ['L2.2.1.b1', 'L2.2.1.b4'] },
      },
    });
    expect(out.payload).toMatchObject({ parts: ['L2.2.1.b1', 'L2.2.1.b4'], threshold: null, why: null });
    const panel = await render('cg-tpl-explain', out);
    expect([...panel.matchAll(/<button class="cg-btn cg-part">([^<]+)<\/button>/g)].map((m) => m[1])).toEqual(
      ['L2.2.1.b1', 'L2.2.1.b4'],
    );
    expect(panel).toContain('<b>What a 0 means:</b> every part with a weight reads 0');
    expect(panel).not.toContain('Nothing is missing');
    expect(byId.get('cg-tpl-explain')?.format).toContain(
      "explain(id) { this.send({ topic: 'explain', payload: { id, scope: this.e.scope } }) }",
    );
  });

  it('says why there is no explanation when the API refuses', () => {
    const out = flowContext()('cg-fn-explain', {
      _client: client,
      asked: { id: 'L7', scope: 'city' },
      statusCode: 404,
      payload: { error: 'not-found', message: "no indicator 'L7'" },
    });
    expect(out.payload).toMatchObject({ id: 'L7', error: "No explanation: no indicator 'L7'" });
    expect(byId.get('cg-tpl-explain')).toMatchObject({ type: 'ui-template', group: 'cg-grp-headline' });
  });
});

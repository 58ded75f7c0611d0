// The City page's gauges (issue 15 item 1): units on every value, district cells coloured by their own
// threshold or the city's, trend charts with hour ticks in the city's zone, the threshold and the incidents,
// (the gauge explanation: city-explain.test.ts). The function nodes run as Node-RED runs them.
import { describe, expect, it, vi } from 'vitest';
import { byId, ENV, flowContext, render, threshold, value } from '../support/city-page.js';

describe('units and thresholds on the headline and the district table', () => {
  const indicators = {
    'L2.2.1|city': value('L2.2.1', 'city', 62),
    'L2.2.1|centre': value('L2.2.1', 'centre', 50),
    'L2.2.1|north': value('L2.2.1', 'north', 50),
    'L2.2.1|east': value('L2.2.1', 'east', 82),
    'L9.1|city': value('L9.1', 'city', 412, 'ppm'),
    'L9.1|north': value('L9.1', 'north', 380, 'ppm'),
  };
  const thresholds = [threshold('L2.2.1', 'city', 80, 85), threshold('L2.2.1', 'north', 40, 45)];

  it('carries each value’s unit to its card, its column and its cells', async () => {
    const [headline, districts] = flowContext({ indicators, thresholds })('cg-fn-view', { topic: 'redraw' });
    expect(headline.payload.headline.map((c: { id: string; unit: string }) => [c.id, c.unit])).toEqual([
      ['L2.2.1', '%'],
      ['L9.1', 'ppm'],
    ]);
    expect(districts.payload.columns).toEqual([
      { id: 'L2.2.1', name: 'L2.2.1 name', unit: '%' },
      { id: 'L9.1', name: 'L9.1 name', unit: 'ppm' },
    ]);
    const north = districts.payload.rows.find((r: { district: string }) => r.district === 'north');
    expect(north.cells['L9.1']).toMatchObject({ value: 380, unit: 'ppm', state: 'none', against: null });
    // The widgets print them: the card's value, its 1h mean and threshold, each cell.
    const cards = await render('cg-tpl-headline', headline);
    expect(cards).toContain(
      '<span data-testid="value">62.0</span><span class="cg-unit" data-testid="unit">%</span>',
    );
    expect(cards).toContain(
      '<span data-testid="value">412.0</span><span class="cg-unit" data-testid="unit">ppm</span>',
    );
    expect(cards).toContain('1h <b>62.0 %</b>');
    expect(cards).toContain('alert below 80.0 % (major)');
    const table = await render('cg-tpl-districts', districts);
    expect(table).toContain('380.0 ppm');
    expect(table).toContain('50.0 %');
  });

  it('draws each gauge on its scale: a share on 0 to 100, another unit up to a round number above it', async () => {
    const [headline] = flowContext({ indicators, thresholds })('cg-fn-view', { topic: 'redraw' });
    expect(headline.payload.headline.map((c: { id: string; max: number }) => [c.id, c.max])).toEqual([
      ['L2.2.1', 100],
      ['L9.1', 500],
    ]);
    // The arc's end: a half circle of radius 50 about (60, 60), as far round as the value is of its scale.
    const end = (share: number) => {
      const a = Math.PI * (1 - share);
      return `${(60 + 50 * Math.cos(a)).toFixed(2)} ${(60 - 50 * Math.sin(a)).toFixed(2)}`;
    };
    const cards = await render('cg-tpl-headline', headline);
    expect(cards).toContain(`d="M10 60 A50 50 0 0 1 ${end(0.62)}"`);
    // 412 ppm on 0 to 500; before, on 0 to 100, it filled the gauge.
    expect(cards).toContain(`d="M10 60 A50 50 0 0 1 ${end(412 / 500)}"`);
    expect(cards).not.toContain(`d="M10 60 A50 50 0 0 1 ${end(1)}"`);
  });

  it("colours a district by its own threshold, and one without by the city's, saying so", async () => {
    const [, districts] = flowContext({ indicators, thresholds })('cg-fn-view', { topic: 'redraw' });
    const cell = (d: string) =>
      districts.payload.rows.find((r: { district: string }) => r.district === d).cells['L2.2.1'];
    // centre has no threshold of its own: 50 is below the city's 80.
    expect(cell('centre')).toMatchObject({ value: 50, state: 'alarm', below: 80, against: 'city' });
    // north's own threshold is 40: the same 50 is fine there.
    expect(cell('north')).toMatchObject({ value: 50, state: 'ok', below: 40, against: 'district' });
    // east is above the city's 80 but not yet back above its clearAt 85.
    expect(cell('east')).toMatchObject({ value: 82, state: 'warn', against: 'city' });
    const table = await render('cg-tpl-districts', districts);
    const td = (d: string) =>
      new RegExp(`data-district="${d}">[\\s\\S]*?(<td data-indicator="L2\\.2\\.1"[^>]*>)`).exec(table)?.[1] ??
      '';
    expect(td('centre')).toContain('class="cg-cell cg-cell-alarm"');
    expect(td('centre')).toContain(
      'title="L2.2.1 L2.2.1 name in centre: alarm: alert below 80 % (major) against the city&#39;s threshold"',
    );
    expect(td('north')).toContain('class="cg-cell cg-cell-ok"');
    expect(td('north')).toContain('against the district&#39;s threshold');
    expect(table).toContain('data-testid="districts-legend"');
  });
});

describe('the 24-hour trend charts', () => {
  const HOUR = 3600_000;
  const now = Date.now();
  const iso = (t: number) => new Date(t).toISOString();

  const draw = (timeZone: string, incidents: object[] = []) => {
    const data: Record<string, unknown> = {
      indicators: { 'L2.2.1|city': value('L2.2.1', 'city', 62) },
      thresholds: [threshold('L2.2.1', 'city', 80, 85), threshold('L2.2.1', 'north', 40, 45)],
      trendIncidents: incidents,
    };
    const run = flowContext(data, timeZone);
    const points = [
      { ts: iso(now - 30 * HOUR), value: 10 },
      { ts: iso(now - 12 * HOUR), value: 90 },
      { ts: iso(now - 6 * HOUR), value: null },
      { ts: iso(now - HOUR), value: 62 },
    ];
    return run('cg-fn-trends', { topic: 'L2.2.1', statusCode: 200, payload: points }).payload;
  };

  it("ticks the city's whole hours, every third, in a zone half an hour off UTC", () => {
    const view = draw('Asia/Kolkata');
    expect(view.timeZone).toBe('Asia/Kolkata');
    expect(view.zoneName).toBe('GMT+5:30');
    expect(view.ticks).toHaveLength(8);
    const from = Date.parse(view.from);
    const local = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Kolkata',
      hourCycle: 'h23',
      hour: '2-digit',
      minute: '2-digit',
    });
    for (const t of view.ticks as { x: number; label: string }[]) {
      const at = from + t.x * 24 * HOUR;
      // x is rounded to 1/10000 of the day: within 9 s of the instant the label names.
      expect(local.format(new Date(at + 10_000))).toMatch(new RegExp(`^${t.label.slice(0, 2)}:00$`));
      expect(Number(t.label.slice(0, 2)) % 3).toBe(0);
    }
    // UTC's ticks fall elsewhere: the labels are the city's.
    expect(draw('UTC').ticks.map((t: { x: number }) => t.x)).not.toEqual(
      view.ticks.map((t: { x: number }) => t.x),
    );
  });

  it('draws the value axis in the unit, the city threshold and only the points of the window', async () => {
    const view = draw('Europe/Paris');
    const [series] = view.series;
    expect(series).toMatchObject({
      id: 'L2.2.1',
      unit: '%',
      max: 100,
      below: 80,
      severity: 'major',
      // The two drawn: of the four in the answer, one is 30 h old and one holds no value.
      count: 2,
    });
    expect(series.points.map((p: { value: number }) => p.value)).toEqual([90, 62]);
    expect(series.points[0].x).toBeCloseTo(0.5, 3);
    const chart = await render('cg-tpl-trends', { topic: 'trends', payload: view });
    // 80 of 100 on the 84-unit-high area that ends at y 92.
    expect(chart).toContain('data-testid="threshold-line" x1="34" x2="296" y1="24.8" y2="24.8"');
    expect(chart).toContain('data-testid="value-unit">%</text>');
    // Every third hour of the day is labelled, but for one so near an edge its label would run off the chart.
    const labelled = (view.ticks as { x: number; label: string }[])
      .filter((t) => t.x >= 0.04 && t.x <= 0.96)
      .map((t) => t.label);
    expect(labelled.length).toBeGreaterThanOrEqual(7);
    expect([...chart.matchAll(/data-testid="hour-tick">(\d\d:00)</g)].map((m) => m[1])).toEqual(labelled);
    expect(chart).toMatch(/data-testid="time-zone">(GMT\+[12]|CES?T)</);
  });

  it('marks the incidents open within the window, clipped to it, and leaves the rest out', async () => {
    const incident = (id: string, raisedAt: number, resolvedAt: number | null, extra = {}) => ({
      id,
      cause: 'gateway',
      subject: id,
      district: 'centre',
      status: resolvedAt ? 'resolved' : 'open',
      raisedAt: iso(raisedAt),
      resolvedAt: resolvedAt === null ? null : iso(resolvedAt),
      mergedInto: null,
      ...extra,
    });
    const view = draw('Europe/Paris', [
      incident('gw-open', now - HOUR / 2, null),
      incident('gw-short', now - 2 * HOUR, now - HOUR),
      incident('gw-long', now - 30 * HOUR, now - 18 * HOUR),
      incident('gw-old', now - 30 * HOUR, now - 25 * HOUR),
      incident('gw-merged', now - 2 * HOUR, now - HOUR, { mergedInto: 'centre-1' }),
    ]);
    const marks = Object.fromEntries(
      view.incidents.map((i: { id: string; x1: number; x2: number }) => [i.id, [i.x1, i.x2]]),
    );
    expect(Object.keys(marks).sort()).toEqual(['gw-long', 'gw-open', 'gw-short']);
    expect(marks['gw-open'][0]).toBeCloseTo(1 - 0.5 / 24, 3);
    expect(marks['gw-open'][1]).toBe(1);
    expect(marks['gw-short'][0]).toBeCloseTo(22 / 24, 3);
    expect(marks['gw-short'][1]).toBeCloseTo(23 / 24, 3);
    expect(marks['gw-long']).toEqual([0, expect.closeTo(6 / 24, 3)]);
    expect(view.incidents.find((i: { id: string }) => i.id === 'gw-open').what).toBe(
      'gateway gw-open (centre)',
    );
    const chart = await render('cg-tpl-trends', { topic: 'trends', payload: view });
    expect(chart).toMatch(
      /<title>Incident gw-open: gateway gw-open \(centre\), raised \d\d:\d\d:\d\d \S+, open<\/title>/,
    );
    expect(chart).toMatch(
      /<title>Incident gw-short: gateway gw-short \(centre\), raised .*, resolved .*<\/title>/,
    );
    expect(chart.match(/data-testid="incident-mark"/g)).toHaveLength(3);
  });

  it('says the time of the newest reading, however the retained burst at connect is ordered', () => {
    const data: Record<string, unknown> = {};
    const run = flowContext(data);
    const reading = (id: string, ts: string) => ({ payload: { ...value(id, 'city', 50), ts } });
    run('cg-fn-ind', reading('L2.2.1', '2026-01-05T10:00:05.000Z'));
    run('cg-fn-ind', reading('L3.1.1', '2026-01-03T08:00:00.000Z'));
    expect(data.lastUpdate).toBe('2026-01-05T10:00:05.000Z');
    run('cg-fn-ind', reading('L2.2.2', '2026-01-05T10:00:06.000Z'));
    expect(data.lastUpdate).toBe('2026-01-05T10:00:06.000Z');
  });

  it('labels a small scale in round numbers, and asks for the history once however long the values take to come', () => {
    const data: Record<string, unknown> = {
      indicators: { 'L9.2|city': value('L9.2', 'city', 0.63, 'mg/l') },
      thresholds: [],
    };
    const run = flowContext(data, 'UTC');
    const view = run('cg-fn-trends', {
      topic: 'L9.2',
      statusCode: 200,
      payload: [{ ts: iso(now - HOUR), value: 0.63 }],
    }).payload;
    // 0.63 mg/l on a scale to 0.7, not 0.7000000000000001.
    expect(view.series[0].max).toBe(0.7);

    // Three 5-minute ticks before any value came: one retry waits, and it asks once per indicator.
    vi.useFakeTimers();
    try {
      const memory: Record<string, unknown> = {};
      const context = { get: (k: string) => memory[k], set: (k: string, v: unknown) => (memory[k] = v) };
      const sent: string[] = [];
      const request = () =>
        new Function('msg', 'node', 'env', 'flow', 'global', 'context', byId.get('cg-fn-trends-req')!.func!)(
          {},
          { warn: () => {}, send: (m: { topic: string }) => sent.push(m.topic) },
          { get: (k: string) => ENV[k] },
          { get: (k: string) => memory[k] },
          { get: () => undefined },
          context,
        );
      for (let tick = 0; tick < 3; tick++) request();
      memory.indicators = {
        'L2.2.1|city': value('L2.2.1', 'city', 62),
        'L3.1.1|city': value('L3.1.1', 'city', 0),
      };
      vi.advanceTimersByTime(3000);
      expect(sent.sort()).toEqual(['L2.2.1', 'L3.1.1']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('marks on each chart only the incidents whose devices feed its indicator', async () => {
    const open = (id: string, indicators?: string[]) => ({
      id,
      cause: 'device',
      subject: id,
      district: null,
      status: 'open',
      raisedAt: iso(now - HOUR),
      resolvedAt: null,
      mergedInto: null,
      ...(indicators ? { indicators } : {}),
    });
    const data: Record<string, unknown> = {
      indicators: { 'L2.2.1|city': value('L2.2.1', 'city', 62), 'L2.1.1|city': value('L2.1.1', 'city', 71) },
      thresholds: [],
      trendIncidents: [
        open('cam-dark', ['availability.cctv', 'L2.2.1']),
        open('pipe-dry', ['L2.1.1']),
        // An API that does not say which indicators (an older node): marked everywhere, as before.
        open('unsaid'),
      ],
    };
    const run = flowContext(data, 'UTC');
    const points = [{ ts: iso(now - HOUR), value: 50 }];
    run('cg-fn-trends', { topic: 'L2.2.1', statusCode: 200, payload: points });
    const view = run('cg-fn-trends', { topic: 'L2.1.1', statusCode: 200, payload: points }).payload;
    const marked = (id: string) =>
      view.series.find((s: { id: string }) => s.id === id).incidents.map((i: { id: string }) => i.id);
    expect(marked('L2.2.1')).toEqual(['cam-dark', 'unsaid']);
    expect(marked('L2.1.1')).toEqual(['pipe-dry', 'unsaid']);
    const chart = await render('cg-tpl-trends', { topic: 'trends', payload: view });
    const chartOf = (id: string) => chart.split(`data-indicator="${id}"`)[1].split('class="cg-trend"')[0];
    expect(chartOf('L2.2.1')).toContain('data-incident="cam-dark"');
    expect(chartOf('L2.2.1')).not.toContain('data-incident="pipe-dry"');
    expect(chartOf('L2.1.1')).toContain('data-incident="pipe-dry"');
    expect(chartOf('L2.1.1')).not.toContain('data-incident="cam-dark"');
  });

  it('redraws on new incidents and thresholds, from the incident list and the thresholds it already reads', () => {
    expect(byId.get('cg-http-incidents')?.wires?.[0]).toContain('cg-fn-trend-marks');
    expect(byId.get('cg-fn-trend-marks')?.wires).toEqual([['cg-fn-trends']]);
    expect(byId.get('cg-fn-thr')?.wires?.[0]).toContain('cg-fn-trends');
    const data: Record<string, unknown> = {};
    const run = flowContext(data);
    expect(run('cg-fn-trend-marks', { statusCode: 200, payload: [{ id: 'x' }] })).toEqual({
      topic: 'redraw',
    });
    expect(data.trendIncidents).toEqual([{ id: 'x' }]);
    // Nothing to draw before any history came.
    expect(run('cg-fn-trends', { topic: 'redraw' })).toBeNull();
  });
});

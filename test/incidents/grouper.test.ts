// Root-cause incidents as a pure machine on event time (docs/incidents.md): a gateway loss, a district power
// cut, two independent failures at once, a flapping link, and the hold before an incident resolves.
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { IncidentGrouper } from '../../engine/incidents/grouper.js';
import {
  DEFAULT_INCIDENT_RULE,
  districtThreshold,
  type IncidentTopology,
} from '../../engine/incidents/incident.js';

const S = 1000;
const T0 = Date.parse('2026-12-05T08:00:00Z');
const HOLD = DEFAULT_INCIDENT_RULE.holdMs;

/** north: gw-1 with cam-1..cam-12 and 27 sensors (40 devices); east: 10 sensors; south: 100 sensors. */
function city(): IncidentTopology {
  const district = new Map<string, string>();
  const gateway = new Map<string, string>();
  district.set('gw-1', 'north');
  for (let i = 1; i <= 12; i++) {
    district.set(`cam-${i}`, 'north');
    gateway.set(`cam-${i}`, 'gw-1');
  }
  for (let i = 1; i <= 27; i++) district.set(`n-${i}`, 'north');
  for (let i = 1; i <= 10; i++) district.set(`e-${i}`, 'east');
  for (let i = 1; i <= 100; i++) district.set(`s-${i}`, 'south');
  const sizes = new Map<string, number>();
  for (const d of district.values()) sizes.set(d, (sizes.get(d) ?? 0) + 1);
  return {
    gatewayOf: (d) => gateway.get(d),
    isGateway: (d) => d.startsWith('gw-'),
    districtOf: (d) => district.get(d) ?? null,
    districtSize: (d) => sizes.get(d) ?? 0,
  };
}

const cams = Array.from({ length: 12 }, (_, i) => `cam-${i + 1}`);

/** The gateway goes down and takes its cameras with it at the same instant, as the engine tells it. */
function gatewayDown(g: IncidentGrouper, t: number) {
  g.onDown('gw-1', t);
  for (const c of cams) g.onDown(c, t);
}
function gatewayUp(g: IncidentGrouper, t: number) {
  g.onUp('gw-1', t);
  for (const c of cams) g.onUp(c, t);
}

describe('IncidentGrouper', () => {
  it('makes a gateway loss one incident naming its 12 dark cameras, not 13', () => {
    const g = new IncidentGrouper(city());
    gatewayDown(g, T0);
    const open = g.open();
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({
      id: 'gw-1-20261205T080000000Z',
      cause: 'gateway',
      subject: 'gw-1',
      district: 'north',
      status: 'open',
      raisedAt: T0,
      devices: ['gw-1'],
      effects: cams,
      downNow: 13,
      timeline: [{ at: T0, kind: 'raised', devices: ['gw-1', ...cams] }],
    });
    expect(g.incidentOf('cam-7')).toBe(open[0].id);
    expect(g.takeEvents().filter((e) => e.type === 'raised')).toHaveLength(1);
  });

  it('resolves exactly a hold after the gateway came back, with who acknowledged it on the timeline', () => {
    const g = new IncidentGrouper(city());
    gatewayDown(g, T0);
    const id = g.open()[0].id;
    expect(g.acknowledge(id, 'ana', T0 + 60 * S)?.acknowledgedBy).toBe('ana');
    gatewayUp(g, T0 + 600 * S);
    g.advance(T0 + 600 * S + HOLD - 1);
    expect(g.open()[0]).toMatchObject({ status: 'recovering', recoveringSince: T0 + 600 * S, downNow: 0 });
    g.takeEvents();
    g.advance(T0 + 2 * HOLD + 600 * S); // the clock ticks late: the resolution keeps its exact instant
    const [resolved] = g.takeEvents();
    expect(resolved.type).toBe('resolved');
    expect(resolved.incident.resolvedAt).toBe(T0 + 600 * S + HOLD);
    expect(resolved.incident.timeline.map((e) => [e.kind, e.at - T0, e.by])).toEqual([
      ['raised', 0, undefined],
      ['acknowledged', 60 * S, 'ana'],
      ['resolved', 600 * S + HOLD, undefined],
    ]);
    expect(g.open()).toEqual([]);
    expect(g.incidentOf('gw-1')).toBeUndefined();
    expect(g.acknowledge(id, 'ana', T0 + HOLD * 3)).toBeUndefined();
  });

  it('makes a district power cut one district incident, taking over the ones its first devices raised', () => {
    const g = new IncidentGrouper(city());
    // east has 10 devices: min(5, ⌈50 % of 10⌉) = 5 within a minute make a district incident.
    expect(districtThreshold(DEFAULT_INCIDENT_RULE, 10)).toBe(5);
    for (let i = 1; i <= 8; i++) g.onDown(`e-${i}`, T0 + (i - 1) * 7 * S); // stale one by one over 49 s
    const open = g.open();
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({
      id: 'east-20261205T080028000Z',
      cause: 'district',
      subject: 'east',
      raisedAt: T0 + 28 * S,
      devices: ['e-1', 'e-2', 'e-3', 'e-4', 'e-5', 'e-6', 'e-7', 'e-8'],
      downNow: 8,
    });
    expect(open[0].timeline.map((e) => [e.kind, e.devices?.length])).toEqual([
      ['raised', 5],
      ['grew', 1],
      ['grew', 1],
      ['grew', 1],
    ]);
    const merged = g.takeEvents().filter((e) => e.type === 'merged');
    expect(merged.map((e) => [e.incident.subject, e.incident.mergedInto, e.incident.resolvedAt])).toEqual(
      ['e-1', 'e-2', 'e-3', 'e-4'].map((d) => [d, open[0].id, T0 + 28 * S]),
    );
  });

  it('keeps devices failing again inside a district incident in it, and a new failure there apart once it settled', () => {
    const g = new IncidentGrouper(city());
    for (let i = 1; i <= 6; i++) g.onDown(`e-${i}`, T0);
    const [cut] = g.open();
    // Later, four of them flap and one more device of east fails: the flaps stay in the cut.
    for (let i = 1; i <= 4; i++) g.onUp(`e-${i}`, T0 + 600 * S);
    for (let i = 1; i <= 4; i++) g.onDown(`e-${i}`, T0 + 610 * S);
    g.onDown('e-9', T0 + 620 * S);
    expect(g.open().map((i) => [i.id, i.cause, i.devices.length])).toEqual([
      [cut.id, 'district', 6],
      ['e-9-20261205T081020000Z', 'device', 1],
    ]);
  });

  it('takes a gateway and its cameras into the district incident of a power cut', () => {
    const g = new IncidentGrouper(city());
    gatewayDown(g, T0);
    for (let i = 1; i <= 4; i++) g.onDown(`n-${i}`, T0 + i * S);
    const [cut] = g.open();
    expect(g.open()).toHaveLength(1);
    expect(cut).toMatchObject({ cause: 'district', subject: 'north', effects: cams, downNow: 17 });
    expect(cut.devices).toEqual(['gw-1', 'n-1', 'n-2', 'n-3', 'n-4']);
    expect(g.incidentOf('cam-3')).toBe(cut.id);
  });

  it('keeps two independent failures at once apart', () => {
    const g = new IncidentGrouper(city());
    gatewayDown(g, T0);
    g.onDown('s-9', T0);
    g.onDown('s-50', T0); // two of south's 100 devices are below its threshold of 5
    expect(g.open().map((i) => [i.cause, i.subject, i.devices.length + i.effects.length])).toEqual([
      ['gateway', 'gw-1', 13],
      ['device', 's-9', 1],
      ['device', 's-50', 1],
    ]);
    g.onUp('s-9', T0 + 10 * S);
    g.advance(T0 + 10 * S + HOLD);
    expect(g.open().map((i) => i.subject)).toEqual(['gw-1', 's-50']);
  });

  it('keeps one incident open while a link flaps every minute, and resolves it a hold after it settles', () => {
    const g = new IncidentGrouper(city());
    for (let m = 0; m < 10; m++) {
      gatewayDown(g, T0 + m * 60 * S);
      gatewayUp(g, T0 + m * 60 * S + 30 * S);
    }
    const events = g.takeEvents();
    expect(events.filter((e) => e.type === 'raised')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'resolved')).toHaveLength(0);
    const [flapping] = g.open();
    expect(flapping).toMatchObject({ status: 'recovering', refailures: 9, effects: cams });
    expect(flapping.timeline.map((e) => e.kind)).toEqual(['raised']);
    g.advance(T0 + 570 * S + HOLD);
    expect(g.takeEvents().map((e) => [e.type, e.at])).toEqual([['resolved', T0 + 570 * S + HOLD]]);
  });

  it('opens a new incident when the cause fails again after the hold', () => {
    const g = new IncidentGrouper(city());
    g.onDown('s-1', T0);
    g.onUp('s-1', T0 + S);
    g.onDown('s-1', T0 + S + HOLD);
    const events = g.takeEvents().map((e) => [e.type, e.at - T0]);
    expect(events).toEqual([
      ['raised', 0],
      ['recovering', S],
      ['resolved', S + HOLD],
      ['raised', S + HOLD],
    ]);
  });

  it('reopens a restored incident and lets it recover when its devices are up after a restart', () => {
    const g = new IncidentGrouper(city());
    gatewayDown(g, T0);
    const before = g.open();
    const again = new IncidentGrouper(city(), DEFAULT_INCIDENT_RULE, before);
    again.reconcile(new Set(['gw-1', ...cams]), T0 + 100 * S);
    expect(again.open()).toMatchObject([{ id: before[0].id, status: 'open', downNow: 13 }]);
    const third = new IncidentGrouper(city(), DEFAULT_INCIDENT_RULE, before);
    third.reconcile(new Set(), T0 + 100 * S);
    expect(third.open()).toMatchObject([{ id: before[0].id, status: 'recovering', downNow: 0 }]);
  });

  it("takes a restored incident's devices as down until each reports, when no saved states say otherwise", () => {
    const g = new IncidentGrouper(city());
    for (let i = 1; i <= 6; i++) g.onDown(`e-${i}`, T0);
    const before = g.open();
    const again = new IncidentGrouper(city(), DEFAULT_INCIDENT_RULE, before);
    expect(again.open()[0]).toMatchObject({ status: 'open', downNow: 6 });
    for (let i = 1; i <= 5; i++) again.onUp(`e-${i}`, T0 + 100 * S);
    expect(again.open()[0]).toMatchObject({ status: 'open', downNow: 1 }); // e-6 is still silent
    again.onUp('e-6', T0 + 200 * S);
    expect(again.open()[0]).toMatchObject({ status: 'recovering', recoveringSince: T0 + 200 * S });
  });

  test.prop([
    fc.array(
      fc.record({
        device: fc.constantFrom('gw-1', 'cam-1', 'cam-2', 'n-1', 'n-2', 'n-3', 'e-1', 'e-2', 'e-3', 's-1'),
        down: fc.boolean(),
        dt: fc.integer({ min: 0, max: 400 * S }),
      }),
      { maxLength: 60 },
    ),
  ])('every device down belongs to exactly one open incident, whose downNow counts it', (steps) => {
    const g = new IncidentGrouper(city());
    const down = new Set<string>();
    let t = T0;
    for (const s of steps) {
      t += s.dt;
      if (s.down) {
        g.onDown(s.device, t);
        down.add(s.device);
      } else {
        g.onUp(s.device, t);
        down.delete(s.device);
      }
    }
    const open = g.open();
    for (const d of down) {
      const holders = open.filter((i) => i.devices.includes(d) || i.effects.includes(d));
      expect(holders.map((i) => i.id)).toEqual([g.incidentOf(d)]);
    }
    for (const i of open) {
      const members = new Set([...i.devices, ...i.effects]);
      expect(i.downNow).toBe([...members].filter((d) => down.has(d)).length);
      expect(i.status === 'open').toBe(i.devices.some((d) => down.has(d)));
    }
  });

  test.prop([
    fc.array(
      fc.record({
        device: fc.constantFrom('gw-1', 'cam-1', 'n-1', 'n-2', 'e-1', 'e-2', 'e-3', 's-1'),
        down: fc.boolean(),
        dt: fc.integer({ min: 0, max: 200 * S }),
        tick: fc.boolean(),
      }),
      { maxLength: 60 },
    ),
  ])(
    'gives the same incidents however often the clock ticks between events (replay and live alike)',
    (steps) => {
      const live = new IncidentGrouper(city());
      const replay = new IncidentGrouper(city());
      let t = T0;
      for (const s of steps) {
        // Live ticks twice a second; a replay only at its --at instants: here, some ticks or none.
        if (s.tick) live.advance(t + Math.floor(s.dt / 2));
        t += s.dt;
        for (const g of [live, replay]) (s.down ? g.onDown : g.onUp).call(g, s.device, t);
      }
      live.advance(t + HOLD);
      replay.advance(t + HOLD);
      const changes = (g: IncidentGrouper) => g.takeEvents().map((e) => [e.type, e.at, e.incident.id]);
      expect(changes(live)).toEqual(changes(replay));
      expect(live.open()).toEqual(replay.open());
    },
  );
});

// The indicator reference page (docs/indicators.md), rendered from the catalogue so it cannot drift.
import type { IndicatorDef } from './definition.js';
import { ERROR_BUDGET_DOC } from './error-budget-doc.js';
import { QUALITY_DOC } from './quality-doc.js';

/** The rules beyond the formulas, each a Markdown section appended to the reference. */
export const RULE_SECTIONS: readonly string[] = [ERROR_BUDGET_DOC, QUALITY_DOC];

const CONDITION_WORDS = {
  registered: 'registered',
  online: 'online',
  available: 'available',
  shared: 'shared',
};

export function describeFormula(d: IndicatorDef): string {
  switch (d.kind) {
    case 'asset-coverage': {
      const assets = `${d.asset.class ? `\`${d.asset.class}\` ` : ''}${d.asset.type}s`;
      const by =
        'channel' in d.coveredBy
          ? `with an \`${d.coveredBy.channel}\` message${d.coveredBy.channel === 'arrival' ? ' or a GTFS-Realtime forecast (`--gtfs-rt`)' : ''} in the last ${d.coveredBy.withinS} s`
          : `with ≥ 1 ${CONDITION_WORDS[d.coveredBy.condition]} \`${d.coveredBy.device.kind ?? 'any'}\` device`;
      return d.weightBy
        ? `Σ \`${d.weightBy}\` of ${assets} ${by} ÷ Σ \`${d.weightBy}\` of all ${assets} × 100`
        : `${assets} ${by} ÷ ${assets} × 100`;
    }
    case 'device-share': {
      const f = d.devices;
      const devices = `${f.hd === undefined ? '' : f.hd ? 'HD ' : 'non-HD '}\`${f.kind ?? 'any'}\` devices${f.assetClass ? ` in \`${f.assetClass}\` assets` : ''}`;
      const num = `${d.numerator.hd ? 'HD ' : ''}${CONDITION_WORDS[d.numerator.condition]}`;
      return `${num} ${devices} ÷ ${devices} × 100`;
    }
    case 'weighted':
      return `${d.parts
        .map((p) =>
          'flag' in p ? `${p.weight}·(100 if \`${p.flag}\` else 0)` : `${p.weight}·${p.indicator}`,
        )
        .join(' + ')} (null if any part is null)`;
  }
}

export function renderReference(catalogue: readonly IndicatorDef[]): string {
  const rows = catalogue.map((d) => `| \`${d.id}\` | ${d.name} | ${d.kind} | ${describeFormula(d)} |`);
  return [
    '# Indicator reference',
    '',
    'Generated from `indicators/catalogue.ts` by `npm run docs:indicators`; a test fails when it is stale.',
    'Every value is on the hundred-mark scale and is computed for the city and for each district; an empty',
    'denominator gives null. User-defined indicators use the same form (see `docs/user-indicators.md`).',
    '',
    '| id | name | kind | value |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    ...RULE_SECTIONS,
    ...MAINTENANCE_RULES,
    '',
  ].join('\n');
}

/** Issue 14 item 2: what maintenance windows do to the values (engine/maintenance.ts, engine/contributions.ts). */
const MAINTENANCE_RULES = [
  '## Maintenance windows',
  '',
  'A maintenance window has a `start` and an `end` (epoch milliseconds; RFC 3339 in the API) and names',
  'devices, assets and districts. It **covers** a device when it names the device, or names the',
  '`cctv-gateway` the camera is behind (`gateway_id`), or names the asset the device is attached to',
  "(`asset_id`), or names the device's district (its asset's district first, else its own: the district it",
  'is counted in). A device is **in maintenance at t** when at least one window that covers it has',
  '`start ≤ t < end`: in at `start` exactly, out at `end` exactly (so at `end − 1 ms` it is still in).',
  'Cancelled windows cover nothing. The engine applies each window edge at its instant on its own clock',
  '(live or replay alike, `replay --maintenance FILE.json`), before any message received at that instant',
  "and before a device's silence deadline that falls on it (a device falling silent as its window opens is",
  'never down); at one instant a window opening is applied before one closing, so back-to-back windows leave',
  'no gap.',
  '',
  '- **Operational shares** (`availability.*`): a device in maintenance counts in neither the numerator',
  '  nor the denominator. `value = online devices not in maintenance ÷ devices not in maintenance × 100`',
  '  (null when every device of the scope is in maintenance). Each value carries',
  '  `excluded: {maintenance: n}`, n = the devices of the scope left out; the `denominator` shown is',
  '  already net of them. Threshold alerts watch this value, so a device in maintenance raises none.',
  '- **ISO/IEC 30146 ratios** (every other device-share and asset-coverage indicator) keep the',
  "  standard's definition: a device in maintenance counts as it is (offline is offline). Each carries",
  "  `plannedGap`, the part of `denominator − numerator` that is planned, in the indicator's own unit:",
  '  for a device share, the devices not meeting the condition that are in maintenance; for an asset',
  '  coverage, the weight (1 per asset, or `length_m`) of the assets not covered of which at least one',
  '  covering device is in maintenance. Arrival coverage (L1.2.2) counts routes, not devices: its',
  '  `plannedGap` is 0. Weighted indicators carry neither field.',
  '- **Devices down**: a device not online while in maintenance is listed on `city/devices/down` with',
  "  reason `maintenance` (counted in the document's `maintenance`, not a fault); its status and the",
  '  indicator gaps give the same reason.',
] as const;

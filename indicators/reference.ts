// The indicator reference page (docs/indicators.md), rendered from the catalogue so it cannot drift.
import type { IndicatorDef } from './definition.js';

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
          ? `with an \`${d.coveredBy.channel}\` message in the last ${d.coveredBy.withinS} s`
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
  ].join('\n');
}

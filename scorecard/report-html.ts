// The scorecard as one self-contained HTML page (docs/contract.md §5 `report`): inline CSS and inline SVG charts,
// no script and no external URL, so the file opens anywhere and can be mailed or archived as it is.

import type { PeriodBudget } from '../indicators/error-budget.js';
import { formatInZone } from '../registry/time-zone.js';
import type { Period } from './period.js';
import type { CompositeLine, LevelLine, RollUpLine, Scorecard } from './scorecard.js';

export interface ReportMeta {
  readonly city: string;
  /** Epoch ms. */
  readonly generatedAt: number;
  /** The city's IANA zone: every time on the page is shown in it. */
  readonly timeZone: string;
  /** The period's local bounds, printed under the title. */
  readonly period?: Pick<Period, 'fromMs' | 'toMs'>;
  /** The city's error-budget objectives over the period (scorecard/period-budgets.ts); absent: none. */
  readonly budgets?: readonly PeriodBudget[];
}

/** One row per objective: the budget left over the period, as a share and as time, and the history behind it. */
function budgetSection(budgets: readonly PeriodBudget[] | undefined): string {
  if (!budgets?.length) return '';
  const rows = budgets
    .map((b) => {
      const o = b.objective;
      const left = b.budgetLeft === null ? '—' : `${(b.budgetLeft * 100).toFixed(1)} %`;
      return (
        `<tr data-objective="${esc(`${o.indicator}@${o.scope}`)}"><td>${esc(o.indicator)}</td><td>${esc(o.scope)}</td>` +
        `<td class="num">${o.target} %</td><td class="num${b.budgetLeft !== null && b.budgetLeft < 0 ? ' bad' : ''}">${left}</td>` +
        `<td>${esc(b.text)}</td><td class="num">${(b.coverage * 100).toFixed(1)} %</td></tr>`
      );
    })
    .join('\n');
  return `<section id="error-budgets"><h2>Error budgets</h2>
<p class="note">Each objective's budget over the period is (100 − target) % of it; the budget left is 1 − the bad share of the time with history ÷ the budget. Time without history is left out; coverage says how much of the period had it.</p>
<table><thead><tr><th>indicator</th><th>scope</th><th>target</th><th>budget left</th><th>as time</th><th>coverage</th></tr></thead><tbody>
${rows}
</tbody></table>
</section>`;
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
/** Every text that reaches the page goes through here: names, sources and people come from users. */
export const esc = (v: unknown): string => String(v ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c]);

const num = (v: number | null) => (v === null ? '—' : v.toFixed(1));
const pct = (share: number) => `${Math.round(share * 100)} %`;
/** A live value's share of the period with history behind it, to 0.1 % (a few minutes of a quarter: 0.0 %). */
export const historyPct = (share: number) => `${(share * 100).toFixed(1)} %`;
const level = (l: LevelLine) => (l.level === null ? 'no level' : `${l.level} ${l.levelName}`);

/** Colours of the five PAS 181 levels, lagging to excelling; grey when unknown. */
const LEVEL_COLOURS = ['#9e9e9e', '#c62828', '#ef6c00', '#f9a825', '#7cb342', '#2e7d32'];
const colourOf = (v: number | null, bands: readonly number[]) =>
  v === null ? LEVEL_COLOURS[0] : LEVEL_COLOURS[1 + bands.filter((b) => v >= b).length];

/** Horizontal bars on the 0-100 scale, one per node, with its value and coverage written beside it. */
function barChart(title: string, nodes: readonly RollUpLine[], bands: readonly number[]): string {
  const row = 26;
  const labelW = 300;
  const barW = 360;
  const height = nodes.length * row + 30;
  const bars = nodes
    .map((n, i) => {
      const y = i * row + 4;
      const w = n.value === null ? 0 : (n.value / 100) * barW;
      return [
        `<g><title>${esc(`${n.id} ${n.name}: ${num(n.value)} (coverage ${pct(n.coverage)})`)}</title>`,
        `<text x="${labelW - 8}" y="${y + 15}" text-anchor="end">${esc(`${n.id} ${n.name}`)}</text>`,
        `<rect x="${labelW}" y="${y + 2}" width="${barW}" height="${row - 8}" fill="#eceff1"/>`,
        `<rect x="${labelW}" y="${y + 2}" width="${w.toFixed(1)}" height="${row - 8}" fill="${colourOf(n.value, bands)}"/>`,
        `<text x="${labelW + barW + 8}" y="${y + 15}">${esc(num(n.value))} · ${esc(pct(n.coverage))} covered</text></g>`,
      ].join('');
    })
    .join('\n');
  const axis = [0, 25, 50, 75, 100]
    .map((t) => {
      const x = labelW + (t / 100) * barW;
      return `<line x1="${x}" y1="0" x2="${x}" y2="${height - 22}" stroke="#b0bec5" stroke-dasharray="2 3"/><text x="${x}" y="${height - 6}" text-anchor="middle" class="axis">${t}</text>`;
    })
    .join('');
  return `<svg class="chart" role="img" aria-label="${esc(title)}" viewBox="0 0 ${labelW + barW + 170} ${height}" width="${labelW + barW + 170}" height="${height}" xmlns="http://www.w3.org/2000/svg">${axis}\n${bars}</svg>`;
}

function rollUpTable(nodes: readonly RollUpLine[]): string {
  const rows = nodes
    .map(
      (n) =>
        `<tr data-node="${esc(n.id)}"><td>${esc(n.id)}</td><td>${esc(n.name)}</td><td class="num">${num(n.value)}</td>` +
        `<td class="num">${pct(n.coverage)}</td><td class="missing">${n.missing.length === 0 ? '—' : esc(n.missing.join(', '))}</td></tr>`,
    )
    .join('\n');
  return `<table><thead><tr><th>number</th><th>group</th><th>score</th><th>coverage</th><th>missing</th></tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

function compositeRow(c: CompositeLine): string {
  const meets = c.meetsTarget === null ? '—' : c.meetsTarget ? 'met' : 'not met';
  const parts = c.parts.map((p) => `${p.ref} ${num(p.value)} (×${p.weight})`).join(', ');
  return (
    `<tr data-composite="${esc(c.id)}"><td>${esc(c.name)}<div class="note">${esc(c.description ?? '')}</div></td>` +
    `<td class="num">${num(c.value)}</td><td>${esc(c.target ?? '—')}</td><td class="${c.meetsTarget === false ? 'bad' : ''}">${meets}</td>` +
    `<td>${esc(parts)}</td><td>${esc(c.period ?? '—')}${c.measured ? ` <span class="note">(measured ${esc(c.measured)})</span>` : ''}</td>` +
    `<td>${esc(c.source ?? '—')}</td></tr>`
  );
}

const VERDICTS: Record<string, string> = {
  agrees: 'agrees with the evidence',
  'self-higher': 'rated higher than the evidence',
  'self-lower': 'rated lower than the evidence',
  'no-evidence': 'no evidence with a value',
};

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#263238;margin:0;background:#fafafa}
header{background:#263238;color:#fff;padding:20px 32px}
header h1{margin:0;font-size:24px}header p{margin:4px 0 0;color:#cfd8dc}
main{padding:8px 32px 40px;max-width:1200px}
section{background:#fff;border:1px solid #e0e0e0;border-radius:6px;padding:12px 20px;margin:16px 0}
h2{font-size:18px;margin:8px 0 12px}
.summary{display:flex;gap:40px;align-items:center;flex-wrap:wrap}
.big{font-size:44px;font-weight:700}.label{color:#607d8b;font-size:12px;text-transform:uppercase;letter-spacing:.05em}
table{border-collapse:collapse;width:100%;margin:8px 0}
th,td{border-bottom:1px solid #eceff1;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f5f5f5;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
td.missing,.note{color:#78909c;font-size:12px}.bad{color:#c62828}
.chart text{font-size:12px;fill:#37474f}.chart .axis{fill:#90a4ae;font-size:10px}
.chart{max-width:100%;height:auto}
ul.gaps li{color:#8d6e63}
.live{color:#1565c0}
`;

/** An RFC 3339 text from a store, as the city reads it; left as it is when it is not a time. */
const localText = (rfc3339: string, zone: string) => {
  const t = Date.parse(rfc3339);
  return Number.isNaN(t) ? rfc3339 : formatInZone(t, zone);
};

export function renderReportHtml(card: Scorecard, meta: ReportMeta): string {
  const zone = meta.timeZone;
  const span = meta.period
    ? `${card.period} runs from ${formatInZone(meta.period.fromMs, zone)} to ${formatInZone(meta.period.toMs, zone)}. `
    : '';
  const m = card.maturity;
  const overall = card.rollUps[0];
  const first = card.rollUps.filter((n) => n.level === 'first');
  const second = card.rollUps.filter((n) => n.level === 'second');
  const indicatorRows = card.indicators
    .map(
      (l) =>
        `<tr id="row-${esc(l.id)}" data-indicator="${esc(l.id)}"${l.userDefined ? ' data-user-defined' : ''}><td>${esc(l.id)}</td>` +
        `<td>${esc(l.name)}${l.userDefined ? ' <span class="note">(user-defined)</span>' : ''}</td>` +
        `<td class="num">${num(l.value)}</td>` +
        `<td class="${l.kind === 'live' ? 'live' : ''}">${esc(l.source ?? (l.kind === 'live' ? 'no live data' : 'not entered'))}</td>` +
        `<td>${esc(l.period ?? '—')}</td><td>${esc(l.enteredBy ?? (l.kind === 'live' ? 'engine' : '—'))}</td>` +
        `<td class="num">${l.kind === 'live' ? historyPct(l.coverage) : '—'}</td></tr>`,
    )
    .join('\n');
  const levelRows = [m.overall, ...m.firstLevel]
    .map(
      (l) =>
        `<tr data-level="${esc(l.id)}"><td>${esc(l.id === 'overall' ? 'Overall' : `${l.id} ${l.name}`)}</td>` +
        `<td class="num">${num(l.score)}</td><td>${esc(level(l))}</td></tr>`,
    )
    .join('\n');
  const assessments =
    m.selfAssessments.length === 0
      ? '<p class="note">No PAS 181 self-assessment recorded yet.</p>'
      : `<table><thead><tr><th>component</th><th>self-assessed</th><th>evidence</th><th>implied by evidence</th><th>verdict</th><th>by, at</th></tr></thead><tbody>\n${m.selfAssessments
          .map(
            (a) =>
              `<tr data-component="${esc(a.component)}"><td>${esc(a.componentName)}</td><td>${a.level} ${esc(a.levelName)}</td>` +
              `<td>${esc(a.evidence.join(', ') || '—')}${a.missingEvidence.length ? `<div class="note">no value: ${esc(a.missingEvidence.join(', '))}</div>` : ''}</td>` +
              `<td>${a.impliedLevel === null ? '—' : `${a.impliedLevel} ${esc(a.impliedLevelName)} (mean ${num(a.meanScore)})`}</td>` +
              `<td class="${a.verdict === 'agrees' ? '' : 'bad'}">${esc(VERDICTS[a.verdict])}</td>` +
              `<td>${esc(a.by)}, <time datetime="${esc(a.at)}">${esc(localText(a.at, zone))}</time>${a.note ? `<div class="note">${esc(a.note)}</div>` : ''}</td></tr>`,
          )
          .join('\n')}\n</tbody></table>`;
  const composites =
    card.composites.length === 0
      ? '<p class="note">No composite index defined.</p>'
      : `<table><thead><tr><th>index</th><th>value</th><th>target</th><th>target met</th><th>parts</th><th>period</th><th>source</th></tr></thead><tbody>\n${card.composites
          .map(compositeRow)
          .join('\n')}\n</tbody></table>`;
  const gaps =
    card.missing.length === 0
      ? ''
      : `<section id="missing"><h2>What is missing</h2><ul class="gaps">${card.missing.map((g) => `<li>${esc(g)}</li>`).join('')}</ul></section>`;
  const bands = m.bands;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(`${meta.city} — ISO/IEC 30146 scorecard ${card.period}`)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${esc(meta.city)} — ISO/IEC 30146 scorecard ${esc(card.period)}</h1>
<p>${esc(span)}Generated <time id="generated-at" datetime="${new Date(meta.generatedAt).toISOString()}">${esc(formatInZone(meta.generatedAt, zone))}</time> by citygauge; times in ${esc(zone)}. ${esc(card.liveNote)}.</p>
</header>
<main>
<section id="summary" class="summary">
<div><div class="label">Overall score</div><div id="overall-score" class="big" style="color:${colourOf(overall.value, bands)}">${num(overall.value)}</div></div>
<div><div class="label">PAS 181 maturity</div><div id="overall-maturity" class="big">${esc(level(m.overall))}</div></div>
<div><div class="label">Coverage</div><div id="overall-coverage" class="big">${pct(overall.coverage)}</div><div class="note">${overall.missing.length} of ${card.indicators.length} indicators without a value</div></div>
</section>
${gaps}
<section id="first-level"><h2>First-level scores</h2>
${barChart('First-level scores', first, bands)}
${rollUpTable(first)}
</section>
<section id="second-level"><h2>Second-level scores</h2>
${barChart('Second-level scores', second, bands)}
${rollUpTable(second)}
</section>
<section id="indicators"><h2>Indicators (${card.indicators.length})</h2>
<table><thead><tr><th>number</th><th>indicator</th><th>value</th><th>source</th><th>period</th><th>entered by</th><th>history</th></tr></thead><tbody>
${indicatorRows}
</tbody></table>
</section>
<section id="maturity"><h2>PAS 181 maturity</h2>
<p class="note">Levels from scores with the cut points ${esc(bands.join(', '))}: 1 lagging, 2 developing, 3 competent, 4 progressive, 5 excelling.</p>
<table><thead><tr><th>group</th><th>score</th><th>level</th></tr></thead><tbody>
${levelRows}
</tbody></table>
<h2>Self-assessments</h2>
${assessments}
</section>
<section id="composites"><h2>Composite indices</h2>
${composites}
</section>
${budgetSection(meta.budgets)}
</main>
</body>
</html>
`;
}

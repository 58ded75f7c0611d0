// The error-budget rule as docs/indicators.md states it (rendered by indicators/reference.ts), kept beside the
// arithmetic (error-budget.ts) so the two change together.
import { BURN_RULES } from './error-budget.js';

const rules = BURN_RULES.map(
  (r) =>
    `| ${r.name} | ${r.long} | ${r.short} | > ${r.burnRate} | ${r.name === 'page' ? 'critical' : 'major'} |`,
);

export const ERROR_BUDGET_DOC = [
  '## Error budgets',
  '',
  'An objective (`objectives` in city.json, or `PUT /api/objectives`) names an indicator, a scope (`city` or a',
  'district), a `target` in percent (0 < target < 100) and a `window` from `1h` to `366d` (default `30d`):',
  '`{"indicator": "availability.cctv", "scope": "city", "target": 99.5, "window": "30d"}`. It is meant for the',
  '`availability.*` indicators, but any indicator on the hundred-mark scale works the same way.',
  '',
  "- **Series.** The indicator's value v(t) for that scope, as a step function: each value holds from the exact",
  '  time it changed (engine time: the message or lapse that changed it, not the tick that published it).',
  '- **Unknown time.** Time before the first known value, time the value is null (an empty denominator) and',
  '  time with no history (the city was not running) is *left out* of every window: it is neither good nor bad.',
  "  A window's **coverage** is the share of it with a known value.",
  '- **Bad fraction** over a window W ending at t: the time-weighted mean of (100 − v)/100 over the known part',
  '  of [t − W, t], i.e. (∫ (100 − v) dt / 100) ÷ known time, clamped to [0, 1]. No known time: null.',
  '- **Budget** = 1 − target/100 (99.5 % → 0.005). As time: budget × window (0.005 × 30 d = 3 h 36 min).',
  "- **Budget left** = 1 − bad fraction over the objective's window ÷ budget: 1 untouched, 0 spent, negative",
  '  overspent; as time, budget left × budget as time ("2 h 36 min of 3 h 36 min left"). Durations are',
  '  rounded to the minute (seconds under a minute). Because unknown time is left out, a window with little',
  '  history reads as if the rest of it went the same way; its coverage says how much history there is.',
  '- **Burn rate** over a window = bad fraction over that window ÷ budget (1 spends exactly the budget over',
  "  the objective's window; null when nothing is known in the window).",
  '- **Alerts** (Google SRE workbook, "Alerting on SLOs", multi-window multi-burn-rate): a rule fires when the',
  '  burn rates of both its windows are strictly above its rate. They are evaluated at every engine tick',
  '  (500 ms live; the recorded times in replay and tests); an alert is raised at the first tick a rule of its',
  '  name fires and cleared at the first tick none does.',
  '',
  '| alert | long window | short window | burn rate | severity |',
  '| --- | --- | --- | --- | --- |',
  ...rules,
  '',
  '  Burn-rate alerts are in the alert log beside threshold alerts (`GET /api/alerts`, `city/alerts/<indicator>`,',
  '  acknowledged the same way) with `kind: "burn-rate"`, `severity`, `below` = `clearAt` = the target, `value` =',
  "  the indicator's value when raised, and `detail`: `{rule, target, window, burnRate, windows: {<long>: rate,",
  '  <short>: rate}, budgetLeft}`. Their id is `<indicator>@<scope>@<page|ticket>@<raised ms>`.',
  '- **History at start.** The window is read back from the history store (embedded or InfluxDB) in 1-minute',
  "  buckets, each bucket's mean holding for its minute; a missing bucket is unknown time, and the live values",
  '  take over from the first change the engine makes.',
  "- **Report.** `citygauge report` and `/report` show each objective's budget over the period instead of its",
  '  window: budget = (1 − target/100) × the period, bad fraction over the part of the period with history',
  '  (5-minute buckets), and the coverage of the period.',
  '',
].join('\n');

// The scorecard of a period: every catalogue indicator's value (live from the engine or entered), the
// roll-ups, PAS 181 maturity and composite indices, as one plain object the API serves and the report prints.
import {
  buildRollUpTree,
  type CompositeIndex,
  compareWithEvidence,
  computeComposite,
  ISO_HIERARCHY,
  ISO30146_CATALOGUE,
  type IsoIndicator,
  type MaturityBands,
  maturityLevel,
  OVERALL,
  PAS181_COMPONENTS,
  type RollUpNode,
  type RollUpWeights,
  rollUp,
  type SelfAssessment,
} from '../indicators/iso/index.js';
import type { AdminEntry } from './admin-inputs.js';

export interface ScorecardInputs {
  readonly period: string;
  readonly catalogue: readonly IsoIndicator[];
  /** Administrative entries standing for the period (ScorecardStore.current), composites' parts included. */
  readonly entries: ReadonlyMap<string, AdminEntry>;
  /** Live values by indicator id (city scope); absent or null when unknown. */
  readonly live: ReadonlyMap<string, number | null>;
  /**
   * Per live indicator, the share of the period with history behind it (scorecard/live-history.ts), 0 when
   * not in it; without the map at all, a live value stands for the whole period as an entered one does.
   */
  readonly liveCoverage?: ReadonlyMap<string, number>;
  /** Says where the live values come from, for the reader of the report. */
  readonly liveNote: string;
  readonly weights: RollUpWeights;
  readonly bands: MaturityBands;
  readonly selfAssessments: readonly SelfAssessment[];
  readonly composites: readonly CompositeIndex[];
}

export interface IndicatorLine {
  readonly id: string;
  readonly name: string;
  readonly section: string;
  readonly secondLevel: string;
  readonly kind: 'live' | 'administrative';
  /** The city's own indicator (e.g. cyber security, 7.6.2), not one of the standard's in our copy. */
  readonly userDefined: boolean;
  readonly value: number | null;
  /**
   * How much of the period the value stands for, 0..1: a live value, the share of the period with history
   * behind it; an entered one, 1 (0 without a value).
   */
  readonly coverage: number;
  /** 'live' for an engine value, else the entry's source; null when there is no value. */
  readonly source: string | null;
  readonly period: string | null;
  readonly enteredBy: string | null;
  readonly enteredAt: string | null;
}

export interface RollUpLine {
  readonly id: string;
  readonly name: string;
  readonly level: RollUpNode['level'];
  readonly value: number | null;
  readonly coverage: number;
  readonly missing: readonly string[];
  readonly parts: readonly string[];
}

export interface LevelLine {
  readonly id: string;
  readonly name: string;
  readonly score: number | null;
  readonly level: number | null;
  readonly levelName: string | null;
}

export interface AssessmentLine {
  readonly component: string;
  readonly componentName: string;
  readonly level: number;
  readonly levelName: string;
  readonly by: string;
  readonly at: string;
  readonly evidence: readonly string[];
  readonly note: string | null;
  readonly impliedLevel: number | null;
  readonly impliedLevelName: string | null;
  readonly meanScore: number | null;
  readonly missingEvidence: readonly string[];
  readonly verdict: 'agrees' | 'self-higher' | 'self-lower' | 'no-evidence';
}

export interface CompositeLine {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly target: string | null;
  readonly measured: string | null;
  readonly value: number | null;
  readonly coverage: number;
  readonly missing: readonly string[];
  readonly meetsTarget: boolean | null;
  readonly period: string | null;
  readonly source: string | null;
  readonly parts: readonly { ref: string; weight: number; value: number | null }[];
}

export interface Scorecard {
  readonly period: string;
  readonly liveNote: string;
  readonly indicators: readonly IndicatorLine[];
  /** Overall first, then each first-level group followed by its second-level groups. */
  readonly rollUps: readonly RollUpLine[];
  readonly maturity: {
    readonly bands: MaturityBands;
    readonly overall: LevelLine;
    readonly firstLevel: readonly LevelLine[];
    readonly selfAssessments: readonly AssessmentLine[];
  };
  readonly composites: readonly CompositeLine[];
  /** What the scorecard lacks, in words: the report prints it so an empty data dir explains itself. */
  readonly missing: readonly string[];
}

/** Only hundred-mark numbers count: anything else from a store or an engine is treated as unknown. */
const score = (v: unknown): number | null =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 100 ? v : null;

function levelLine(node: RollUpNode, bands: MaturityBands): LevelLine {
  const level = maturityLevel(node.value, bands);
  return {
    id: node.id,
    name: node.name,
    score: node.value,
    level: level?.level ?? null,
    levelName: level?.name ?? null,
  };
}

const rollUpLine = (n: RollUpNode): RollUpLine => ({
  id: n.id,
  name: n.name,
  level: n.level,
  value: n.value,
  coverage: n.coverage,
  missing: n.missing,
  parts: n.parts,
});

const STANDARD_IDS: ReadonlySet<string> = new Set(ISO30146_CATALOGUE.map((d) => d.id));

export function buildScorecard(input: ScorecardInputs): Scorecard {
  const indicators: IndicatorLine[] = input.catalogue.map((d) => {
    const userDefined = !STANDARD_IDS.has(d.id);
    if (d.source === 'live') {
      const value = score(input.live.get(d.id));
      return {
        coverage: value === null ? 0 : input.liveCoverage ? (input.liveCoverage.get(d.id) ?? 0) : 1,
        id: d.id,
        name: d.name,
        section: d.section,
        secondLevel: d.secondLevel,
        kind: 'live',
        userDefined,
        value,
        source: value === null ? null : 'live',
        period: value === null ? null : input.period,
        enteredBy: null,
        enteredAt: null,
      };
    }
    const e = input.entries.get(d.id);
    const value = score(e?.value);
    return {
      coverage: value === null ? 0 : 1,
      id: d.id,
      name: d.name,
      section: d.section,
      secondLevel: d.secondLevel,
      kind: 'administrative',
      userDefined,
      value,
      source: e?.source ?? null,
      period: e?.period ?? null,
      enteredBy: e?.enteredBy ?? null,
      enteredAt: e?.enteredAt ?? null,
    };
  });
  const scores = new Map(indicators.map((l) => [l.id, l.value]));

  // User-defined indicators roll up into their second-level group. Values are sanitised above and weights
  // checked when stored, so a refusal here is a bug; weights of user-defined nodes since dropped are ignored.
  const tree = buildRollUpTree(input.catalogue);
  const weights = Object.fromEntries(
    Object.entries(input.weights).filter(([id]) => tree.has(id) && id !== OVERALL),
  );
  const rolled = rollUp(scores, weights, tree, new Map(indicators.map((l) => [l.id, l.coverage])));
  if (!rolled.ok) throw new Error(`scorecard roll-up: ${rolled.errors.map((e) => e.message).join('; ')}`);
  const { overall, nodes } = rolled.value;
  const rollUps: RollUpLine[] = [rollUpLine(overall)];
  const firstLevel: LevelLine[] = [];
  for (const first of overall.parts) {
    const f = nodes.get(first)!;
    rollUps.push(rollUpLine(f));
    firstLevel.push(levelLine(f, input.bands));
    for (const second of f.parts) rollUps.push(rollUpLine(nodes.get(second)!));
  }

  const selfAssessments: AssessmentLine[] = input.selfAssessments.map((a) => {
    const c = compareWithEvidence(a, scores, input.bands);
    if (!c.ok) throw new Error(`scorecard evidence: ${c.errors.map((e) => e.message).join('; ')}`);
    const v = c.value;
    return {
      component: a.component,
      componentName: PAS181_COMPONENTS.find((p) => p.id === a.component)?.name ?? a.component,
      level: v.selfAssessed.level,
      levelName: v.selfAssessed.name,
      by: a.by,
      at: a.at,
      evidence: a.evidence,
      note: a.note ?? null,
      impliedLevel: v.implied?.level ?? null,
      impliedLevelName: v.implied?.name ?? null,
      meanScore: v.meanScore,
      missingEvidence: v.missing,
      verdict: v.verdict,
    };
  });

  const composites: CompositeLine[] = input.composites.map((index) => {
    const entry = input.entries.get(index.id);
    const values = new Map<string, number | null>();
    for (const p of index.parts)
      values.set(p.ref, scores.has(p.ref) ? (scores.get(p.ref) ?? null) : score(entry?.inputs[p.ref]));
    const c = computeComposite(index, values);
    if (!c.ok) throw new Error(`composite ${index.id}: ${c.errors.map((e) => e.message).join('; ')}`);
    const t = index.target;
    return {
      id: index.id,
      name: index.name,
      description: index.description ?? null,
      target: t === undefined ? null : 'above' in t ? `above ${t.above}` : `at least ${t.atLeast}`,
      measured: index.period ?? null,
      value: c.value.value,
      coverage: c.value.coverage,
      missing: c.value.missing,
      meetsTarget: c.value.meetsTarget,
      period: entry?.period ?? null,
      source: entry?.source ?? null,
      parts: index.parts.map((p) => ({ ref: p.ref, weight: p.weight, value: values.get(p.ref) ?? null })),
    };
  });

  const missing: string[] = [];
  const admin = indicators.filter((l) => l.kind === 'administrative');
  const adminMissing = admin.filter((l) => l.value === null).length;
  if (adminMissing === admin.length)
    missing.push(
      `no administrative inputs for ${input.period}: enter them with POST /api/scorecard/inputs or ` +
        '`citygauge scorecard import <file.csv>`',
    );
  else if (adminMissing > 0)
    missing.push(
      `${adminMissing} of ${admin.length} administrative indicators have no value for ${input.period}`,
    );
  const live = indicators.filter((l) => l.kind === 'live');
  const liveMissing = live.filter((l) => l.value === null).length;
  if (liveMissing > 0)
    missing.push(
      `${liveMissing} of ${live.length} live indicators have no live data: ${input.liveNote.replace(/^[A-Z]/, (c) => c.toLowerCase())}`,
    );
  if (selfAssessments.length === 0)
    missing.push('no PAS 181 self-assessments: record them with POST /api/scorecard/self-assessments');
  for (const c of composites)
    if (c.value === null)
      missing.push(`${c.name} has no value for ${input.period}: enter ${c.missing.join(', ')}`);

  return {
    period: input.period,
    liveNote: input.liveNote,
    indicators,
    rollUps,
    maturity: { bands: input.bands, overall: levelLine(overall, input.bands), firstLevel, selfAssessments },
    composites,
    missing,
  };
}

/** The first-level group names, for labels. */
export const FIRST_LEVEL_NAMES: ReadonlyMap<string, string> = new Map(
  ISO_HIERARCHY.firstLevel.map((f) => [f.id, f.name]),
);

/** Gather a scorecard's inputs from the store. */
export function scorecardFromStore(
  store: {
    catalogue: readonly IsoIndicator[];
    current(period: string): Map<string, AdminEntry>;
    weights(): RollUpWeights;
    maturityBands(): MaturityBands;
    selfAssessments(): SelfAssessment[];
    composites(): CompositeIndex[];
  },
  period: string,
  live: ReadonlyMap<string, number | null>,
  liveNote: string,
  liveCoverage?: ReadonlyMap<string, number>,
): Scorecard {
  return buildScorecard({
    period,
    catalogue: store.catalogue,
    entries: store.current(period),
    live,
    liveNote,
    liveCoverage,
    weights: store.weights(),
    bands: store.maturityBands(),
    selfAssessments: store.selfAssessments(),
    composites: store.composites(),
  });
}

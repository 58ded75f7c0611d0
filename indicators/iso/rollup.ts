// Third-level scores rolled up into second-level, first-level and overall scores (docs/contract.md §4): weighted
// means of the parts that have values, each node saying how much of its weight is present and what is missing.
import { z } from 'zod';
import { ISO_HIERARCHY, type IsoHierarchy } from './hierarchy.js';
import { ISO30146_CATALOGUE } from './iso30146.js';
import { type Checked, type InputProblem, zodProblems } from './problems.js';
import { readScore, type Scores } from './scores.js';

export type RollUpLevel = 'overall' | 'first' | 'second' | 'third';

export interface TreeNode {
  readonly id: string;
  readonly name: string;
  readonly level: RollUpLevel;
  readonly parts: readonly string[];
}

/** Every node by id, `overall` at the top, third-level indicators as leaves. */
export type RollUpTree = ReadonlyMap<string, TreeNode>;

export const OVERALL = 'overall';

/**
 * The tree of a catalogue. Groups without any indicator (L6.2 in our copy) are left out, so an empty group
 * does not count as missing weight; they appear once a city adds indicators to them.
 */
export function buildRollUpTree(
  catalogue: readonly {
    readonly id: string;
    readonly name: string;
    readonly secondLevel: string;
  }[] = ISO30146_CATALOGUE,
  hierarchy: IsoHierarchy = ISO_HIERARCHY,
): RollUpTree {
  const nodes = new Map<string, TreeNode>();
  for (const d of catalogue) {
    if (!hierarchy.secondLevel.some((g) => g.id === d.secondLevel))
      throw new Error(`indicator '${d.id}' names an unknown second-level group '${d.secondLevel}'`);
    nodes.set(d.id, { id: d.id, name: d.name, level: 'third', parts: [] });
  }
  for (const g of hierarchy.secondLevel) {
    const parts = catalogue.filter((d) => d.secondLevel === g.id).map((d) => d.id);
    if (parts.length > 0) nodes.set(g.id, { id: g.id, name: g.name, level: 'second', parts });
  }
  for (const f of hierarchy.firstLevel) {
    const parts = hierarchy.secondLevel
      .filter((g) => g.firstLevel === f.id && nodes.has(g.id))
      .map((g) => g.id);
    if (parts.length > 0) nodes.set(f.id, { id: f.id, name: f.name, level: 'first', parts });
  }
  const firstLevel = hierarchy.firstLevel.filter((f) => nodes.has(f.id)).map((f) => f.id);
  nodes.set(OVERALL, { id: OVERALL, name: 'Overall', level: 'overall', parts: firstLevel });
  return nodes;
}

/** The standard catalogue's tree. */
export const ISO_ROLLUP_TREE: RollUpTree = buildRollUpTree();

/**
 * The weight of a node among its siblings (`{ "L1": 2, "L1.7.1": 0.5 }`); 1 when not given, so parts
 * count equally by default. Zero leaves a part out of its parent's value but not out of `missing`.
 */
export const RollUpWeightsSchema = z.record(z.string(), z.number().finite().nonnegative());
export type RollUpWeights = z.infer<typeof RollUpWeightsSchema>;

/** Weights from a config file or request body, checked against the tree so a mistyped id is not ignored. */
export function parseRollUpWeights(raw: unknown, tree: RollUpTree = ISO_ROLLUP_TREE): Checked<RollUpWeights> {
  const parsed = RollUpWeightsSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: zodProblems(parsed.error, 'weights') };
  const unknown = Object.keys(parsed.data).filter((id) => !tree.has(id) || id === OVERALL);
  if (unknown.length > 0)
    return {
      ok: false,
      errors: unknown.map((id) => ({
        input: `weights.${id}`,
        message: 'names no indicator or group in the catalogue: check the id (e.g. "L1.1" or "L1.1.1")',
      })),
    };
  return { ok: true, value: parsed.data };
}

export interface RollUpNode {
  readonly id: string;
  readonly name: string;
  readonly level: RollUpLevel;
  /** Weighted mean of the parts that have values; null when none has. */
  readonly value: number | null;
  /**
   * Share of the node's weight whose third-level values are present, 0..1, taken transitively: a group at
   * half coverage contributes half its weight to its parent's coverage. A present value counts as much as its
   * own coverage (a live value: the share of the period with history behind it).
   */
  readonly coverage: number;
  /** Third-level ids under this node without a value. */
  readonly missing: readonly string[];
  readonly parts: readonly string[];
}

export type RollUp = { readonly overall: RollUpNode; readonly nodes: ReadonlyMap<string, RollUpNode> };

/**
 * Roll third-level scores up the tree. Ids in `scores` that are not third-level indicators of the tree
 * (live parts such as `L2.2.1.b1`, device availability) are not read.
 */
export function rollUp(
  scores: Scores,
  weights: RollUpWeights = {},
  tree: RollUpTree = ISO_ROLLUP_TREE,
  /** A third-level value's own coverage, 0..1 (a live value: the share of the period with history); 1 when absent. */
  coverageOf: ReadonlyMap<string, number> = new Map(),
): Checked<RollUp> {
  const checkedWeights = parseRollUpWeights(weights, tree);
  if (!checkedWeights.ok) return checkedWeights;
  const w = checkedWeights.value;
  const problems: InputProblem[] = [];
  const nodes = new Map<string, RollUpNode>();

  const visit = (id: string): RollUpNode => {
    const node = tree.get(id)!;
    if (node.level === 'third') {
      const value = readScore(scores, id, problems);
      const result = {
        ...node,
        value,
        coverage: value === null ? 0 : (coverageOf.get(id) ?? 1),
        missing: value === null ? [id] : [],
      };
      nodes.set(id, result);
      return result;
    }
    const parts = node.parts.map(visit);
    let weightPresent = 0;
    let weighted = 0;
    let weightAll = 0;
    let covered = 0;
    for (const part of parts) {
      const weight = w[part.id] ?? 1;
      weightAll += weight;
      covered += weight * part.coverage;
      if (part.value === null) continue;
      weightPresent += weight;
      weighted += weight * part.value;
    }
    const result: RollUpNode = {
      ...node,
      value: weightPresent > 0 ? weighted / weightPresent : null,
      coverage: weightAll > 0 ? covered / weightAll : 0,
      missing: parts.flatMap((p) => p.missing),
    };
    nodes.set(id, result);
    return result;
  };

  const overall = visit(OVERALL);
  if (problems.length > 0) return { ok: false, errors: problems };
  return { ok: true, value: { overall, nodes } };
}

// ISO/IEC 30146 measurement methods' pure arithmetic: a method's score from the figures a user entered.
// Every result is on the hundred-mark scale; bad inputs come back as problems, never as a throw or a clamp.
import {
  type BaseMethod,
  baseInputs,
  type InputSpec,
  inputsOf,
  type Method,
  type Part,
} from './method-schemas.js';
import { type InputProblem, type Rejected, shown } from './problems.js';

export * from './method-schemas.js';

export interface Score {
  readonly ok: true;
  /** 0..100, or null when a denominator is empty. */
  readonly value: number | null;
  /** The score of each part (b1, b2, …), of each list item, or of the chosen variant's parts. */
  readonly parts: Readonly<Record<string, number | null>>;
  /** Why the value is null or capped, in words. */
  readonly notes: readonly string[];
  /** The `either` variant that was used. */
  readonly variant?: string;
}
export type ScoreResult = Score | Rejected;

type Value = number | boolean | string | readonly ListItem[];
interface ListItem {
  readonly name: string;
  readonly numerator: number;
  readonly denominator: number;
}

function readNumber(
  input: string,
  raw: unknown,
  spec: Extract<InputSpec, { type: 'number' }>,
  problems: InputProblem[],
) {
  const unit = spec.unit === 'points' ? ' points' : '';
  if (typeof raw !== 'number') {
    problems.push({ input, message: `must be a number, got ${shown(raw)}` });
  } else if (!Number.isFinite(raw)) {
    problems.push({ input, message: `must be a finite number, got ${shown(raw)}` });
  } else if (spec.integer && !Number.isInteger(raw)) {
    problems.push({ input, message: `must be a whole number, got ${raw}` });
  } else if (raw < spec.min || (spec.max !== undefined && raw > spec.max)) {
    problems.push({
      input,
      message:
        spec.max === undefined
          ? `must be ${spec.min}${unit} or more (a count or amount cannot be negative), got ${raw}`
          : `must be from ${spec.min} to ${spec.max}${unit}, got ${raw}`,
    });
  } else {
    return raw;
  }
  return undefined;
}

function readList(input: string, raw: unknown, problems: InputProblem[]): ListItem[] | undefined {
  if (!Array.isArray(raw)) {
    problems.push({
      input,
      message: `must be a list of { name, numerator, denominator }, got ${shown(raw)}`,
    });
    return undefined;
  }
  const before = problems.length;
  const names = new Set<string>();
  const term = { type: 'number', min: 0, integer: false } as const;
  const items = raw.map((item: unknown, i): ListItem => {
    const at = `${input}[${i}]`;
    const { name, numerator, denominator } = (
      typeof item === 'object' && item !== null ? item : {}
    ) as Record<string, unknown>;
    if (typeof name !== 'string' || name === '')
      problems.push({ input: `${at}.name`, message: 'must name the item' });
    else if (names.has(name))
      problems.push({ input: `${at}.name`, message: `'${name}' appears twice: list each once` });
    else names.add(name);
    const n = readNumber(`${at}.numerator`, numerator, { ...term, name: '', description: '' }, problems);
    const d = readNumber(`${at}.denominator`, denominator, { ...term, name: '', description: '' }, problems);
    if (n !== undefined && d !== undefined && n > d)
      problems.push(moreThanWhole(`${at}.numerator`, n, `${at}.denominator`, d));
    return { name: String(name), numerator: n ?? 0, denominator: d ?? 0 };
  });
  return problems.length === before ? items : undefined;
}

function moreThanWhole(numerator: string, n: number, denominator: string, d: number): InputProblem {
  return {
    input: numerator,
    message: `is ${n}, more than ${denominator} (${d}): it counts part of that total, so check both figures`,
  };
}

/** Type- and range-check every input against its spec, and refuse names the method does not take. */
function readInputs(
  specs: readonly InputSpec[],
  inputs: Readonly<Record<string, unknown>>,
  problems: InputProblem[],
  otherVariants: ReadonlyMap<string, string> = new Map(),
): Map<string, Value> {
  const values = new Map<string, Value>();
  for (const spec of specs) {
    const raw = inputs[spec.name];
    if (raw === undefined || raw === null) {
      problems.push({ input: spec.name, message: `missing: enter the ${spec.description}` });
      continue;
    }
    let value: Value | undefined;
    switch (spec.type) {
      case 'number':
        value = readNumber(spec.name, raw, spec, problems);
        break;
      case 'boolean':
        if (typeof raw === 'boolean') value = raw;
        else problems.push({ input: spec.name, message: `must be true or false, got ${shown(raw)}` });
        break;
      case 'choice':
        if (typeof raw === 'string' && spec.options.includes(raw)) value = raw;
        else
          problems.push({
            input: spec.name,
            message: `must be one of ${spec.options.map((o) => `"${o}"`).join(', ')}, got ${shown(raw)}`,
          });
        break;
      case 'list':
        value = readList(spec.name, raw, problems);
        break;
    }
    if (value !== undefined) values.set(spec.name, value);
  }
  const known = new Set(specs.map((s) => s.name));
  for (const name of Object.keys(inputs)) {
    if (known.has(name)) continue;
    const variant = otherVariants.get(name);
    problems.push({
      input: name,
      message:
        variant === undefined
          ? `unknown input: this indicator takes ${[...known].join(', ')}`
          : `belongs to variant '${variant}', which was not chosen: leave it out`,
    });
  }
  return values;
}

function ratioOf(
  numerator: { name: string },
  denominator: { name: string },
  values: ReadonlyMap<string, Value>,
  problems: InputProblem[],
): number | null {
  const n = values.get(numerator.name) as number | undefined;
  const d = values.get(denominator.name) as number | undefined;
  if (n === undefined || d === undefined) return null;
  if (n > d) {
    problems.push(moreThanWhole(numerator.name, n, denominator.name, d));
    return null;
  }
  return d > 0 ? (n * 100) / d : null;
}

function partScore(p: Part, values: ReadonlyMap<string, Value>, problems: InputProblem[]): number | null {
  switch (p.kind) {
    case 'ratio':
      return ratioOf(p.numerator, p.denominator, values, problems);
    case 'flag':
      return values.get(p.input) === true ? p.points : 0;
    case 'bands': {
      const x = values.get(p.input) as number;
      const band = p.bands.find((b) => ('over' in b ? x > b.over : x >= b.atLeast));
      return band?.points ?? 0;
    }
    case 'graded':
      return values.get(p.input) as number;
    case 'choice':
      return p.options.find((o) => o.value === values.get(p.input))?.points ?? 0;
  }
}

function computeBase(
  m: BaseMethod,
  values: ReadonlyMap<string, Value>,
  problems: InputProblem[],
): Omit<Score, 'ok'> {
  switch (m.method) {
    case 'ratio': {
      const value = ratioOf(m.numerator, m.denominator, values, problems);
      const notes = value === null ? [`${m.denominator.name} is 0: the share is undefined`] : [];
      return { value, parts: {}, notes };
    }
    case 'points':
      return {
        value: m.criteria.reduce((sum, c) => sum + (values.get(c.name) ? c.points : 0), 0),
        parts: {},
        notes: [],
      };
    case 'capped-count': {
      const count = values.get(m.count.name) as number;
      const uncapped = count * m.pointsEach;
      // The standard's own ceiling (L1.7.1: "the highest score up to 70"), so capping here is the method.
      const notes =
        uncapped > m.cap ? [`${count} × ${m.pointsEach} = ${uncapped} points, capped at ${m.cap}`] : [];
      return { value: Math.min(uncapped, m.cap), parts: {}, notes };
    }
    case 'scheme':
    case 'weighted': {
      const parts: Record<string, number | null> = {};
      for (const p of m.parts) parts[p.part] = partScore(p, values, problems);
      const empty = m.parts.filter((p) => parts[p.part] === null).map((p) => p.part);
      // Null when any part is null, as the live L2.2.1 does: a partial sum would read as a low score.
      if (empty.length > 0) return { value: null, parts, notes: [`no value for ${empty.join(', ')}`] };
      const value = m.parts.reduce(
        (sum, p) => sum + (parts[p.part] as number) * ('weight' in p ? p.weight : 1),
        0,
      );
      return { value, parts, notes: [] };
    }
    case 'mean-of-ratios': {
      const items = values.get(m.list.name) as readonly ListItem[];
      const parts: Record<string, number | null> = {};
      for (const item of items)
        parts[item.name] = item.denominator > 0 ? (item.numerator * 100) / item.denominator : null;
      const scored = Object.values(parts).filter((v): v is number => v !== null);
      if (scored.length === 0)
        return { value: null, parts, notes: [`no item in ${m.list.name} has a denominator above 0`] };
      return { value: scored.reduce((a, b) => a + b, 0) / scored.length, parts, notes: [] };
    }
  }
}

/**
 * The score of an indicator from the figures a city enters. Pure; never throws for bad inputs: each
 * missing, unknown, mistyped or out-of-range input is reported with what to fix.
 */
export function computeScore(
  indicator: { readonly method: Method },
  inputs: Readonly<Record<string, unknown>>,
): ScoreResult {
  // A JSON body may carry anything here; refuse it as a value rather than fail on a property read.
  if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs))
    return {
      ok: false,
      errors: [{ input: '(top)', message: `expected an object of named inputs, got ${shown(inputs)}` }],
    };
  const m = indicator.method;
  const problems: InputProblem[] = [];
  let method: BaseMethod;
  let values: Map<string, Value>;
  let variant: string | undefined;
  if (m.method === 'either') {
    const choice = readInputs(inputsOf(m).slice(0, 1), { [m.choose.name]: inputs[m.choose.name] }, problems);
    const chosen = m.variants.find((v) => v.variant === choice.get(m.choose.name));
    if (!chosen) return { ok: false, errors: problems };
    const others = new Map(
      m.variants
        .filter((v) => v !== chosen)
        .flatMap((v) => baseInputs(v.method).map((s) => [s.name, v.variant] as const)),
    );
    const { [m.choose.name]: _choice, ...rest } = inputs;
    method = chosen.method;
    variant = chosen.variant;
    values = readInputs(baseInputs(method), rest, problems, others);
  } else {
    method = m;
    values = readInputs(inputsOf(m), inputs, problems);
  }
  // Cross-input checks (a numerator above its denominator) need every figure read; an unknown extra
  // input does not stop them, so the user sees every problem at once.
  if (!baseInputs(method).every((s) => values.has(s.name))) return { ok: false, errors: problems };
  const result = computeBase(method, values, problems);
  if (problems.length > 0) return { ok: false, errors: dedupe(problems) };
  return { ok: true, ...result, ...(variant === undefined ? {} : { variant }) };
}

function dedupe(problems: readonly InputProblem[]): InputProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.input}\n${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

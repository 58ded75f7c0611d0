// Expected failures as values (STYLE "Errors"): every problem names the input it is about and says what to fix.
import type { z } from 'zod';

export interface InputProblem {
  /** The input, field or path the problem is about (`governmentServices`, `parts.1.weight`). */
  readonly input: string;
  readonly message: string;
}

export type Checked<T> = { readonly ok: true; readonly value: T } | Rejected;
export type Rejected = { readonly ok: false; readonly errors: readonly InputProblem[] };

/** Every zod issue as a problem, its path joined with dots (`(top)` for the value itself). */
export function zodProblems(error: z.ZodError, prefix = ''): InputProblem[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.');
    return { input: path === '' ? '(top)' : path, message: issue.message };
  });
}

/** How a value reads inside a message: strings quoted, everything else as written. */
export function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  return Array.isArray(value) ? 'a list' : 'an object';
}

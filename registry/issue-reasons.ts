// zod issues as the short reasons a person fixing a spreadsheet needs: the column, what is allowed and
// what was there, e.g. `kind: expected one of cctv, cctv-gateway, ... (got 'camera')`.
import type { z } from 'zod';

/** Parse with this so each issue carries the offending value (city.json has no cells to quote). */
export const WITH_INPUT = { reportInput: true } as const;

function shown(value: unknown): string {
  const text = typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function reason(issue: z.core.$ZodIssue, missing: boolean): string {
  switch (issue.code) {
    case 'invalid_value':
      return `${missing ? 'is required: one' : 'expected one'} of ${issue.values.join(', ')}`;
    case 'invalid_type':
      return missing ? 'is required' : `expected ${issue.expected}`;
    default:
      return issue.message;
  }
}

/**
 * Every issue as `column: reason (got 'cell')`, joined with `; `: one error per row, so a row is counted
 * once. `row` holds the cells as read; without it (city.json) the parsed value is quoted instead.
 * Custom issues already say what they got.
 */
export function describeIssues(error: z.ZodError, row?: Record<string, string>): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      const column = issue.path[0];
      const value = row
        ? typeof column === 'string'
          ? row[column]
          : undefined
        : (issue as { input?: unknown }).input;
      const missing = value === undefined || value === '';
      const got = issue.code === 'custom' || missing ? '' : ` (got ${shown(value)})`;
      return `${path ? `${path}: ` : ''}${reason(issue, missing)}${got}`;
    })
    .join('; ');
}

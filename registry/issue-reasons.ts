// zod issues as the short reasons a person fixing a spreadsheet needs: the column, what is allowed and
// what was there, e.g. `kind: expected one of cctv, cctv-gateway, ... (got 'camera')`.
import type { z } from 'zod';

/** Parse with this so each issue carries the offending value (city.json has no cells to quote). */
export const WITH_INPUT = { reportInput: true } as const;

/**
 * Control characters and line separators (a line break in a quoted cell, a NUL) escaped as JSON would, so that a reason
 * quoting a cell stays one `file:line: reason` line in a terminal or a log.
 */
export const printable = (text: string): string =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
  text.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]/g, (c) =>
    c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

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
  const reasons = error.issues
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
  return printable(reasons);
}

// Length and character limits of every text a person or a file can set (issue 10 item 11). One table, used
// by the inventory rows, city.json and the HTTP API alike, and printed in docs/contract-as-implemented.md.
// Ids and districts become MQTT topic levels (`city/indicators/<id>/<district>`), so they are short and
// free of `/`, `+`, `#` and NUL; names are any printable text, but bounded.
import { z } from 'zod';
import { ID_PATTERN } from './inventory.js';

export const LIMITS = {
  /** Device, area, pipe segment and site ids, gateway ids (docs/contract.md §1's pattern). */
  id: 64,
  /** A district's id: a topic level and an HTTP scope. */
  district: 64,
  /** A GTFS route id, and a device's asset id (which may name a route). */
  reference: 128,
  /** Names: of the city, a district, an area, a site, a route. */
  name: 200,
  /** A column beyond the contract's (kept as an attribute): its header and each value. */
  attributeName: 64,
  attributeValue: 1024,
  /** A physical line of an inventory CSV file, in bytes; a longer one is refused, not held. */
  lineBytes: 64 * 1024,
} as const;

const CONTROL = /\p{Cc}/u;
// Tabs and line breaks may be inside a quoted notes cell; other control characters may not.
const CONTROL_IN_NOTES = /[^\P{Cc}\t\r\n]/u;

export const atMost = (n: number) => `at most ${n} characters`;
const noControl = (s: string) => !CONTROL.test(s);

// Each applies its rules to a string schema (a required cell, or the API's plain string); the length check
// aborts, so a 900,000-character value gets one short reason and no regular expression runs over it.
export const idText = (s: z.ZodString) =>
  s
    .max(LIMITS.id, { message: atMost(LIMITS.id), abort: true })
    .regex(ID_PATTERN, 'must be 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit');

export const districtText = (s: z.ZodString) =>
  s
    .max(LIMITS.district, { message: atMost(LIMITS.district), abort: true })
    .regex(/^[^/+#\p{Cc}]+$/u, 'must not contain "/", "+", "#" or control characters');

export const referenceText = (s: z.ZodString) =>
  s
    .max(LIMITS.reference, { message: atMost(LIMITS.reference), abort: true })
    .refine(noControl, 'must not contain control characters');

export const nameText = (s: z.ZodString) =>
  s
    .max(LIMITS.name, { message: atMost(LIMITS.name), abort: true })
    .refine(noControl, 'must not contain control characters');

/** Empty, or by the rules of `schema` (the API's way of clearing an optional field). */
export const blankOr = (schema: z.ZodType<string>) =>
  // Not a union: its error would say "Invalid input" instead of the rule that failed.
  z.string().superRefine((s, ctx) => {
    if (s === '') return;
    const checked = schema.safeParse(s);
    if (!checked.success)
      for (const issue of checked.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
  });

/** Why an extra column's header or value is refused; undefined when it is fine. */
export function attributeProblem(column: string, value: string): string | undefined {
  if (column.length > LIMITS.attributeName)
    return `column '${column.slice(0, 20)}...': ${atMost(LIMITS.attributeName)}`;
  if (CONTROL.test(column)) return `column '${column}': must not contain control characters`;
  if (value.length > LIMITS.attributeValue) return `${column}: ${atMost(LIMITS.attributeValue)}`;
  if (CONTROL_IN_NOTES.test(value)) return `${column}: must not contain control characters`;
  return undefined;
}

// city.json (docs/contract.md §1): the city's name, sharing agreement, mean windows and alert thresholds, every
// key with a default. Its errors are reported at line 1 as `<path>: <reason>; ...`.
import { readFileSync } from 'node:fs';
import type { CityConfig } from './inventory.js';
import { describeIssues, WITH_INPUT } from './issue-reasons.js';
import { CityFile } from './row-schemas.js';

export function parseCityJson(text: string): { city: CityConfig } | { error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { error: `not valid JSON: ${(err as Error).message}` };
  }
  const parsed = CityFile.safeParse(raw, WITH_INPUT);
  if (!parsed.success) return { error: describeIssues(parsed.error) };
  // Only the contract's keys: the rest of the file is for whoever else reads it.
  const { name, cctvSharingAgreement, windows, thresholds, objectives, timeZone, districts, incidents } =
    parsed.data;
  const city: CityConfig = { name, cctvSharingAgreement, windows, thresholds };
  if (objectives.length) city.objectives = objectives;
  if (timeZone !== undefined) city.timeZone = timeZone;
  if (incidents) city.incidents = incidents;
  // A district's name defaults to its id.
  if (districts) city.districts = districts.map((d) => ({ ...d, name: d.name ?? d.id }));
  return { city };
}

export function readCityFile(path: string): { city: CityConfig } | { error: string } {
  // JSON.parse does not skip a byte-order mark, which Windows editors like to write.
  return parseCityJson(readFileSync(path, 'utf8').replace(/^\uFEFF/, ''));
}

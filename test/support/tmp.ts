// Temporary inventory folders written from strings, for tests that need a file on disk.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(prefix = 'citygauge-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A folder holding `files` (name → content). */
export function inventoryDir(files: Record<string, string>): string {
  const dir = tempDir('citygauge-inv-');
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

export const DEVICE_HEADER = 'id,kind,district,asset_id,gateway_id,hd,expected_interval_s,lat,lon';

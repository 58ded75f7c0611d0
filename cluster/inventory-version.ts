// A registry version as the cluster passes it around: the inventory as canonical JSON (maps as entries in id
// order, object keys sorted), named by its SHA-256. Two nodes holding the same registry name it alike,
// whatever order their store lists it in, so a record in the log can say "from here on, version X".
import { createHash } from 'node:crypto';
import type { Inventory } from '../registry/inventory.js';

const MAPS = ['areas', 'pipeSegments', 'routes', 'sites', 'devices'] as const;

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = canonical(v);
    }
    return out;
  }
  return value;
}

const byId = <T>(m: Map<string, T>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

export function encodeInventory(inv: Inventory): Uint8Array {
  const doc: Record<string, unknown> = { city: canonical(inv.city) };
  for (const k of MAPS)
    doc[k] = byId<unknown>(inv[k] as Map<string, unknown>).map(([id, v]) => [id, canonical(v)]);
  return Buffer.from(JSON.stringify(doc), 'utf8');
}

export function decodeInventory(bytes: Uint8Array): Inventory {
  const doc = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  const inv = { city: doc.city } as Record<string, unknown>;
  for (const k of MAPS) inv[k] = new Map(doc[k]);
  return inv as unknown as Inventory;
}

/** The version's name: 32 hex digits of the SHA-256 of its canonical form. */
export function inventoryVersion(encoded: Uint8Array): string {
  return createHash('sha256').update(encoded).digest('hex').slice(0, 32);
}

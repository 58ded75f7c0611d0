// Cross references of devices.csv (docs/contract.md §1): a device's asset must exist in its kind's table and a
// camera's gateway must be a cctv-gateway. Checked once every row is read, since a gateway may follow its
// cameras, against this import's rows and the registry's.
import type { Device, DeviceKind, Inventory } from './inventory.js';

export type AssetTable = 'areas' | 'pipeSegments' | 'sites' | 'routes';

export const ASSET_OF_KIND: Readonly<Record<DeviceKind, { table: AssetTable; file: string; noun: string }>> =
  {
    cctv: { table: 'areas', file: 'areas.csv', noun: 'area' },
    'cctv-gateway': { table: 'areas', file: 'areas.csv', noun: 'area' },
    'pipe-monitor': { table: 'pipeSegments', file: 'pipe_segments.csv', noun: 'pipe segment' },
    sensor: { table: 'sites', file: 'sites.csv', noun: 'site' },
    'transit-beacon': { table: 'routes', file: 'routes.txt', noun: 'route' },
  };

/** Lines of the rows this import rejected, by table and id: a dangling reference then names its cause. */
export type RejectedLines = Record<AssetTable | 'devices', Map<string, number>>;

export interface DeviceLine {
  line: number;
  row: Device;
}

/**
 * Split devices.csv's valid rows into those whose references hold and errors for the rest.
 * `inv` holds the merged assets and the registry's devices (not yet this file's).
 */
export function checkDeviceReferences(
  rows: DeviceLine[],
  inv: Inventory,
  rejected: RejectedLines,
): { accepted: DeviceLine[]; errors: { line: number; reason: string }[] } {
  const errors: { line: number; reason: string }[] = [];
  const fail = (line: number, reason: string) => {
    errors.push({ line, reason });
    return false;
  };
  const because = (lines: Map<string, number>, id: string, file: string) => {
    const line = lines.get(id);
    return line === undefined ? '' : ` (its row ${file}:${line} was rejected)`;
  };

  const withAssets = rows.filter(({ line, row }) => {
    if (!row.assetId) return true;
    const { table, file, noun } = ASSET_OF_KIND[row.kind];
    if (inv[table].has(row.assetId)) return true;
    if (!rejected.devices.has(row.id)) rejected.devices.set(row.id, line);
    return fail(line, `asset_id: no ${noun} '${row.assetId}'${because(rejected[table], row.assetId, file)}`);
  });

  // This file's kinds win over the registry's, but only for rows that stand.
  const fileKinds = new Map(withAssets.map(({ row }) => [row.id, row.kind]));
  const kindOf = (id: string) => fileKinds.get(id) ?? inv.devices.get(id)?.kind;
  let accepted = withAssets.filter(({ line, row }) => {
    if (!row.gatewayId) return true;
    const kind = kindOf(row.gatewayId);
    if (kind === undefined)
      return fail(
        line,
        `gateway_id: no device '${row.gatewayId}'${because(rejected.devices, row.gatewayId, 'devices.csv')}`,
      );
    if (kind !== 'cctv-gateway')
      return fail(line, `gateway_id: '${row.gatewayId}' is a ${kind}, not a cctv-gateway`);
    return true;
  });

  // A registered gateway may not change kind under cameras that keep reporting through it.
  const demoted = new Map(
    accepted
      .filter(({ row }) => row.kind !== 'cctv-gateway' && inv.devices.get(row.id)?.kind === 'cctv-gateway')
      .map((d) => [d.row.id, d]),
  );
  if (demoted.size > 0) {
    const replaced = new Set(accepted.map(({ row }) => row.id));
    const cameras = new Map<string, string[]>();
    for (const d of inv.devices.values()) {
      if (d.gatewayId && demoted.has(d.gatewayId) && !replaced.has(d.id)) {
        cameras.set(d.gatewayId, [...(cameras.get(d.gatewayId) ?? []), d.id]);
      }
    }
    accepted = accepted.filter(({ line, row }) => {
      const behind = cameras.get(row.id);
      if (!behind) return true;
      const names = behind.slice(0, 3).join(', ') + (behind.length > 3 ? `, ... (${behind.length})` : '');
      return fail(
        line,
        `kind: '${row.id}' is the cctv-gateway of registered camera(s) ${names}; keep it one`,
      );
    });
  }
  return { accepted, errors };
}

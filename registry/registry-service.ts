// The registry as the running system uses it: the current inventory in memory (O(1) lookups by id),
// written through to SQLite, with device credentials, and listeners told of every change so the engine
// and the broker follow without a restart.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CredentialStore } from './credentials.js';
import { checkDeviceReferences } from './device-references.js';
import type { Device, Inventory, Threshold as ThresholdValue } from './inventory.js';
import { describeIssues, WITH_INPUT } from './issue-reasons.js';
import { type LoadResult, loadInventoryDir, toDevice } from './load-inventory.js';
import { DeviceRow, Threshold } from './row-schemas.js';
import type { RegistryStore } from './store.js';

/** A device as the API takes it: a devices.csv row with camelCase names (CONTRACT §5). */
export interface DeviceInput {
  id: string;
  kind: string;
  district?: string;
  assetId?: string;
  gatewayId?: string;
  hd?: boolean;
  expectedIntervalS?: number;
  lat?: number;
  lon?: number;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; status: 400 | 404 | 409; reasons: string[] };

const fail = <T>(status: 400 | 404 | 409, ...reasons: string[]): Outcome<T> => ({
  ok: false,
  status,
  reasons,
});

export class Registry {
  private listeners: ((inv: Inventory) => void)[] = [];

  constructor(
    private readonly store: RegistryStore,
    readonly credentials: CredentialStore,
    public inventory: Inventory = store.load(),
  ) {}

  onChange(listener: (inv: Inventory) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** Register a device and issue its secret (shown once). */
  create(input: DeviceInput): Outcome<{ device: Device; secret: string }> {
    if (this.inventory.devices.has(input.id)) return fail(409, `device '${input.id}' is already registered`);
    const checked = this.validate(input);
    if (!checked.ok) return checked;
    this.commit(checked.value);
    return { ok: true, value: { device: checked.value, secret: this.credentials.issue(input.id, 'device') } };
  }

  update(id: string, patch: Partial<DeviceInput>): Outcome<Device> {
    const current = this.inventory.devices.get(id);
    if (!current) return fail(404, `no device '${id}'`);
    if (patch.id !== undefined && patch.id !== id)
      return fail(400, 'id: cannot be changed; register a new device');
    const checked = this.validate({ ...current, ...patch, id });
    if (!checked.ok) return checked;
    this.commit(checked.value);
    return { ok: true, value: checked.value };
  }

  remove(id: string): Outcome<Device> {
    const current = this.inventory.devices.get(id);
    if (!current) return fail(404, `no device '${id}'`);
    const cameras = [...this.inventory.devices.values()].filter((d) => d.gatewayId === id).map((d) => d.id);
    if (cameras.length)
      return fail(409, `gateway '${id}' still reports for ${cameras.join(', ')}: move or remove them first`);
    const devices = new Map(this.inventory.devices);
    devices.delete(id);
    this.store.deleteDevice(id);
    this.credentials.revoke(id);
    this.replace({ ...this.inventory, devices });
    return { ok: true, value: current };
  }

  rotateSecret(id: string): Outcome<string> {
    if (!this.inventory.devices.has(id)) return fail(404, `no device '${id}'`);
    return { ok: true, value: this.credentials.issue(id, 'device') };
  }

  /** Import uploaded inventory files (name → content) over the registry, as `citygauge import` does. */
  async importFiles(files: Record<string, string>, strict = false): Promise<LoadResult> {
    const dir = mkdtempSync(join(tmpdir(), 'citygauge-upload-'));
    try {
      for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
      const result = await loadInventoryDir(dir, { strict, existing: this.inventory });
      if (result.inventory !== this.inventory && !(strict && result.errors.length)) {
        this.store.upsert(result.inventory, this.inventory);
        this.replace(result.inventory);
      }
      return result;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Replace the alert thresholds (CONTRACT §4), validated as in city.json; stored with the city settings. */
  setThresholds(input: unknown[]): Outcome<ThresholdValue[]> {
    const thresholds: ThresholdValue[] = [];
    const reasons: string[] = [];
    input.forEach((t, i) => {
      const parsed = Threshold.safeParse(t);
      if (parsed.success) thresholds.push(parsed.data);
      else reasons.push(`${i}: ${describeIssues(parsed.error)}`);
    });
    if (reasons.length) return fail(400, ...reasons);
    const next = { ...this.inventory, city: { ...this.inventory.city, thresholds } };
    this.store.upsert(next, this.inventory);
    this.replace(next);
    return { ok: true, value: thresholds };
  }

  /** The same rules as a devices.csv row: the row schema, then references into the registry. */
  private validate(input: DeviceInput): Outcome<Device> {
    const record: Record<string, string> = {
      id: input.id,
      kind: input.kind,
      district: input.district ?? '',
      asset_id: input.assetId ?? '',
      gateway_id: input.gatewayId ?? '',
      hd: input.hd === undefined ? '' : String(input.hd),
      expected_interval_s: input.expectedIntervalS === undefined ? '' : String(input.expectedIntervalS),
      lat: input.lat === undefined ? '' : String(input.lat),
      lon: input.lon === undefined ? '' : String(input.lon),
    };
    const parsed = DeviceRow.safeParse(record, WITH_INPUT);
    if (!parsed.success) return fail(400, ...describeIssues(parsed.error, record).split('; '));
    const device = toDevice(parsed.data, this.inventory.devices.get(input.id)?.attributes);
    const others = new Map(this.inventory.devices);
    others.delete(device.id);
    const empty = {
      areas: new Map(),
      pipeSegments: new Map(),
      sites: new Map(),
      routes: new Map(),
      devices: new Map(),
    };
    const checked = checkDeviceReferences(
      [{ line: 1, row: device }],
      { ...this.inventory, devices: others },
      empty,
    );
    if (checked.errors.length) return fail(400, ...checked.errors.map((e) => e.reason));
    return { ok: true, value: device };
  }

  private commit(device: Device): void {
    const devices = new Map(this.inventory.devices);
    devices.set(device.id, device);
    const next = { ...this.inventory, devices };
    this.store.upsert(next, this.inventory);
    this.replace(next);
  }

  private replace(next: Inventory): void {
    this.inventory = next;
    for (const l of this.listeners) l(next);
  }
}

// The registry as the running system uses it: the current inventory in memory (O(1) lookups by id),
// written through to its database (the embedded SQLite, or a PostgreSQL shared by every node), with device
// credentials, and listeners told of every change, this node's or another's, so the engine and the broker
// follow without a restart.
import { z } from 'zod';
import type { CredentialStore } from './credentials.js';
import { checkDeviceReferences } from './device-references.js';
import {
  type Device,
  districtsOf,
  type Inventory,
  type Objective as ObjectiveValue,
  type Threshold as ThresholdValue,
  unknownDistrict,
} from './inventory.js';
import { describeIssues, WITH_INPUT } from './issue-reasons.js';
import { type LoadResult, loadInventoryDir, toDevice } from './load-inventory.js';
import { PendingWrites, type RegistryBackend, type SimulatedFlag } from './registry-backend.js';
import { DeviceRow, Objective, Threshold } from './row-schemas.js';
import { districtText } from './text-limits.js';

/** A device as the API takes it: a devices.csv row with camelCase names (docs/contract.md §5). */
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

/** Each item as `schema` reads it, or a 400 with every refused item's reasons as `index: reasons` (city.json's words). */
export function parseEach<S extends z.ZodType>(schema: S, input: readonly unknown[]): Outcome<z.output<S>[]> {
  const values: z.output<S>[] = [];
  const reasons: string[] = [];
  input.forEach((item, i) => {
    const parsed = schema.safeParse(item);
    if (parsed.success) values.push(parsed.data);
    else reasons.push(`${i}: ${describeIssues(parsed.error)}`);
  });
  return reasons.length ? fail(400, ...reasons) : { ok: true, value: values };
}

/** A change the database refused or never got; the HTTP API answers it 503. */
export class RegistryWriteError extends Error {
  readonly statusCode = 503;
}

export class Registry {
  private listeners: ((inv: Inventory) => void)[] = [];
  /** The devices the simulated fleet may play (issue 10 item 3); a person's device never is one. */
  private simulatedIds: Set<string>;
  /** Writes the database has not committed yet (PostgreSQL's; SQLite's are done when the call returns). */
  private readonly pending = new PendingWrites();

  constructor(
    private readonly store: RegistryBackend,
    readonly credentials: CredentialStore,
    public inventory: Inventory = store.load(),
  ) {
    this.simulatedIds = store.simulatedIds();
    // Another node changed the shared registry: the same path as a change made here.
    store.onExternalChange?.((inv, simulatedIds) => {
      this.simulatedIds = simulatedIds;
      this.replace(inv);
    });
  }

  /**
   * Settles once every change made so far is stored, credentials included; rejects when the database
   * refused one. The HTTP API answers only then: a secret shown once must not be lost to a failed write.
   */
  async written(): Promise<void> {
    try {
      await Promise.all([this.pending.settled(), this.credentials.written()]);
    } catch (err) {
      throw new RegistryWriteError(
        `the registry database did not store the change (${(err as Error).message}): nothing was changed; check the database in --db and try again`,
      );
    }
  }

  isSimulated(id: string): boolean {
    return this.simulatedIds.has(id);
  }

  /** The inventory with only its simulated devices: what the simulated fleet plays. */
  simulatedInventory(): Inventory {
    const devices = new Map([...this.inventory.devices].filter(([id]) => this.simulatedIds.has(id)));
    return { ...this.inventory, devices };
  }

  /**
   * A registry whose city declares no districts (an inventory from before they were declared) declares
   * those its rows name, so a typo is refused from now on; a name over the limits (stored by an older
   * version) is left out and answered apart. Undefined when the city declares its districts already.
   */
  declareDistricts(): { declared: string[]; invalid: string[] } | undefined {
    if (this.inventory.city.districts) return undefined;
    const named = districtsOf(this.inventory);
    const valid = districtText(z.string());
    const declared = named.filter((id) => valid.safeParse(id).success);
    const invalid = named.filter((id) => !valid.safeParse(id).success);
    const districts = declared.map((id) => ({ id, name: id }));
    const next = { ...this.inventory, city: { ...this.inventory.city, districts } };
    this.pending.add(this.store.upsert(next, this.inventory, 'keep'));
    this.replace(next);
    return { declared, invalid };
  }

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
    this.commit(checked.value, 'clear');
    return { ok: true, value: { device: checked.value, secret: this.credentials.issue(input.id, 'device') } };
  }

  update(id: string, patch: Partial<DeviceInput>): Outcome<Device> {
    const current = this.inventory.devices.get(id);
    if (!current) return fail(404, `no device '${id}'`);
    if (patch.id !== undefined && patch.id !== id)
      return fail(400, 'id: cannot be changed; register a new device');
    const checked = this.validate({ ...current, ...patch, id });
    if (!checked.ok) return checked;
    this.commit(checked.value, 'keep');
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
    this.pending.add(this.store.deleteDevice(id));
    this.simulatedIds.delete(id);
    this.credentials.revoke(id);
    this.replace({ ...this.inventory, devices });
    return { ok: true, value: current };
  }

  rotateSecret(id: string): Outcome<string> {
    if (!this.inventory.devices.has(id)) return fail(404, `no device '${id}'`);
    return { ok: true, value: this.credentials.issue(id, 'device') };
  }

  /**
   * Import an inventory folder (an upload, streamed there) over the registry, as `citygauge import` does.
   * The devices it writes are a person's: none of them is simulated any more.
   */
  async importDir(dir: string, strict = false): Promise<LoadResult> {
    const result = await loadInventoryDir(dir, { strict, existing: this.inventory });
    if (result.inventory !== this.inventory && !(strict && result.errors.length)) {
      this.pending.add(this.store.upsert(result.inventory, this.inventory, 'clear'));
      for (const [id, d] of result.inventory.devices)
        if (this.inventory.devices.get(id) !== d) this.simulatedIds.delete(id);
      this.replace(result.inventory);
    }
    return result;
  }

  /** Replace the alert thresholds (docs/contract.md §4), validated as in city.json; stored with the city settings. */
  setThresholds(input: readonly unknown[]): Outcome<ThresholdValue[]> {
    const parsed = parseEach(Threshold, input);
    if (!parsed.ok) return parsed;
    const thresholds = parsed.value;
    const next = { ...this.inventory, city: { ...this.inventory.city, thresholds } };
    this.pending.add(this.store.upsert(next, this.inventory, 'keep'));
    this.replace(next);
    return { ok: true, value: thresholds };
  }

  /** Replace the error-budget objectives, validated as in city.json; stored with the city settings. */
  setObjectives(input: readonly unknown[]): Outcome<ObjectiveValue[]> {
    const parsed = parseEach(Objective, input);
    if (!parsed.ok) return parsed;
    const objectives = parsed.value;
    const next = { ...this.inventory, city: { ...this.inventory.city, objectives } };
    this.pending.add(this.store.upsert(next, this.inventory, 'keep'));
    this.replace(next);
    return { ok: true, value: objectives };
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
    const unknown = unknownDistrict(this.inventory.city, parsed.data.district);
    if (unknown) return fail(400, `district: ${unknown}`);
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

  private commit(device: Device, simulated: SimulatedFlag): void {
    const devices = new Map(this.inventory.devices);
    devices.set(device.id, device);
    const next = { ...this.inventory, devices };
    this.pending.add(this.store.upsert(next, this.inventory, simulated));
    this.replace(next);
  }

  private replace(next: Inventory): void {
    this.inventory = next;
    for (const l of this.listeners) l(next);
  }
}

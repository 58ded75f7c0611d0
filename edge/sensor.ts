// A sensor at a key pollution source or energy-using site (docs/contract.md §2): `telemetry` with named metrics.
import { DeviceAgent, type DeviceAgentOptions } from './agent.js';

export class SensorAgent extends DeviceAgent {
  constructor(options: Omit<DeviceAgentOptions, 'kind'>) {
    super({ ...options, kind: 'sensor' });
  }

  /** One reading, e.g. `{ pm25: 18.2, no2: 31 }` or `{ kwh: 42.5 }`. Returns its seq. */
  report(metrics: Record<string, number>): number {
    return this.publish('telemetry', { metrics });
  }
}

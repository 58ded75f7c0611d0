// A monitor on a water pipe segment (docs/contract.md §2): `telemetry` with pressure, flow and a leak flag.
import { DeviceAgent, type DeviceAgentOptions } from './agent.js';
import type { PipeTelemetry } from './wire.js';

export class PipeMonitorAgent extends DeviceAgent {
  constructor(options: Omit<DeviceAgentOptions, 'kind'>) {
    super({ ...options, kind: 'pipe-monitor' });
  }

  report(reading: PipeTelemetry): number {
    return this.publish('telemetry', {
      pressureKPa: reading.pressureKPa,
      flowLps: reading.flowLps,
      leak: reading.leak,
    });
  }
}

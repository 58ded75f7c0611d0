// A beacon on a bus (docs/contract.md §2): `arrival` forecasts — when this vehicle will reach a stop of its route.
// These drive L1.2.2, the share of routes with real-time arrival forecasts (§4).
import { DeviceAgent, type DeviceAgentOptions } from './agent.js';
import type { ArrivalForecast } from './wire.js';

export class TransitBeaconAgent extends DeviceAgent {
  constructor(options: Omit<DeviceAgentOptions, 'kind'>) {
    super({ ...options, kind: 'transit-beacon' });
  }

  /** The vehicle is this beacon's bus unless said otherwise. */
  forecast(arrival: Omit<ArrivalForecast, 'vehicleId'> & { vehicleId?: string }): number {
    return this.publish('arrival', {
      routeId: arrival.routeId,
      stopId: arrival.stopId,
      vehicleId: arrival.vehicleId ?? this.deviceId,
      predictedArrival: arrival.predictedArrival,
    });
  }
}

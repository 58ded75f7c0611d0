// Arrival forecasts that come from no device: a GTFS-Realtime feed's trips, already mapped to route ids
// (engine/gtfs-rt/). They move L1.2.2's routes exactly as a transit beacon's `arrival` message does.

/** A forecast for one route, made at `at` (epoch ms): the route counts until `at` + the indicator's window. */
export interface RouteForecast {
  routeId: string;
  at: number;
}

/** One poll's forecasts from one source (`gtfs-rt:<url>`), stamped with the engine clock when taken in. */
export class ArrivalForecasts {
  constructor(
    readonly source: string,
    readonly forecasts: readonly RouteForecast[],
    /** Engine clock, epoch ms: set by the live pipeline (NaN before). */
    readonly receivedAt = Number.NaN,
  ) {}

  stampedAt(receivedAt: number): ArrivalForecasts {
    return new ArrivalForecasts(this.source, this.forecasts, receivedAt);
  }
}

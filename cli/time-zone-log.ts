// The city's time zone as a command starts: a city.json that names none gets UTC, said once in the log
// with the line to add.
import { type CityConfig, cityTimeZone } from '../registry/inventory.js';
import { TIME_ZONE_EXAMPLE } from '../registry/time-zone.js';

export function cityTimeZoneLogged(
  city: Pick<CityConfig, 'timeZone'>,
  log: { warn(obj: object, message: string): void },
): string {
  if (city.timeZone === undefined)
    log.warn(
      { timeZone: cityTimeZone(city) },
      `city.json names no timeZone; times are shown in UTC; add "timeZone": "${TIME_ZONE_EXAMPLE}" (its IANA name) ` +
        'to city.json and run citygauge import',
    );
  return cityTimeZone(city);
}

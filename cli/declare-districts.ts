// A city whose city.json declares no districts gets those its registry names, declared once and said in the
// log with how to name them: from then on a row or API call naming another district is refused.
import type { Logger } from 'pino';
import type { Registry } from '../registry/registry-service.js';

export function declareDistrictsLogged(registry: Registry, log: Logger): void {
  const districts = registry.declareDistricts();
  if (districts) {
    const { declared, invalid } = districts;
    const shown = declared.slice(0, 20).join(', ') + (declared.length > 20 ? ', ...' : '');
    log.info(
      { districts: declared },
      `city.json declares no districts: declared the ${declared.length} the registry names (${shown}); a row or API call naming another is now refused. To name them or add one, upload a city.json with "districts": [{"id": "north", "name": "North"}, ...]`,
    );
    if (invalid.length)
      log.warn(
        { count: invalid.length, first: `${invalid[0].slice(0, 80)}...` },
        'district names over the limits (at most 64 characters, no "/", "+", "#" or control characters) are not declared: their indicators are not published; correct or delete their rows',
      );
  }
}

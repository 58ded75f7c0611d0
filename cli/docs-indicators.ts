// Regenerate docs/indicators.md from the catalogue: `npm run docs:indicators`.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LIVE_CATALOGUE } from '../indicators/catalogue.js';
import { buildCatalogue } from '../indicators/load-definitions.js';
import { renderReference } from '../indicators/reference.js';

const out = fileURLToPath(new URL('../../docs/indicators.md', import.meta.url));
writeFileSync(out, renderReference(buildCatalogue(LIVE_CATALOGUE)));
process.stderr.write(`wrote ${out}\n`);

// Builds flows/citygauge.json, the flows `citygauge start` seeds Node-RED with (`npm run flows`). The
// widgets' Vue templates live in widgets/ (one module per widget) and the function nodes' code in one module per tab, where
// they read as code; test/red/flows.test.ts checks the JSON is current. Changed a flow in the editor
// instead? Export it over flows/citygauge.json and carry the change back here. The imports below run in
// order: each tab adds its nodes to the one list.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import './config.mjs';
import './city.mjs';
import './routes.mjs';
import './field.mjs';
import './audit.mjs';
import './maintenance.mjs';
import './settings.mjs';
import './wall.mjs';
import { nodes } from './nodes.mjs';

export const FLOWS_JSON = `${JSON.stringify(nodes, null, 2)}\n`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ?? fileURLToPath(new URL('../citygauge.json', import.meta.url));
  writeFileSync(out, FLOWS_JSON);
  console.log(`${out}: ${nodes.length} nodes`);
}

// Vue templates of the dashboard widgets (Dashboard 2.0 ui-template), one module per widget in widgets/.

export { ALERTS } from './widgets/alerts.mjs';
export { AUDIT } from './widgets/audit.mjs';
export { BUDGETS } from './widgets/budgets.mjs';
export { DISTRICTS } from './widgets/districts.mjs';
export { EXPLAIN } from './widgets/explain.mjs';
export { LOOKUP, REGISTER, UPLOAD } from './widgets/field.mjs';
export { HEADLINE } from './widgets/headline.mjs';
export { INCIDENTS } from './widgets/incidents.mjs';
export { MAINTENANCE } from './widgets/maintenance.mjs';
export { MAP } from './widgets/map.mjs';
export { STYLE } from './widgets/style.mjs';
export { THRESHOLDS } from './widgets/thresholds.mjs';
export { TRENDS } from './widgets/trends.mjs';
export { WALL } from './widgets/wall.mjs';
export { WALL_STYLE } from './widgets/wall-style.mjs';

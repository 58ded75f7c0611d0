// The mayor's dashboard: live indicators, alerts with acknowledge, districts, devices down, 24-hour trends.
// Each part of the page in its module under city/, imported in the order its nodes appear in flows/citygauge.json.
import './city/live.mjs';
import './city/explain.mjs';
import './city/alerts.mjs';
import './city/budgets.mjs';
import './city/map.mjs';
import './city/trends.mjs';
import './city/incidents.mjs';

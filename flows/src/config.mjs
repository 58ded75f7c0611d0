// The tabs, the broker connection, the dashboard's base, theme, pages, groups and site-wide styles.
import { add, group, page } from './nodes.mjs';
import * as T from './templates.mjs';

add({
  id: 'cg-tab-city',
  type: 'tab',
  label: "Mayor's dashboard",
  disabled: false,
  info: 'Live indicators from the retained city/indicators/# topics, alerts, devices down and 24-hour trends from the history API.',
});
add({
  id: 'cg-tab-routes',
  type: 'tab',
  label: 'Alert routes',
  disabled: false,
  info: 'Every alert event (raise, acknowledge, clear) from city/alerts/+ goes to the routes below. Log and MQTT are on; e-mail and webhook are configured but disabled: fill in your server and enable them.',
});
add({
  id: 'cg-tab-field',
  type: 'tab',
  label: 'Field engineers',
  disabled: false,
  info: 'Register devices, upload inventory files and look up a device, through the citygauge HTTP API.',
});
add({
  id: 'cg-tab-audit',
  type: 'tab',
  label: 'Audit',
  disabled: false,
  info: 'The audit trail (GET /api/audit) for admins: who changed what, when, from where, before and after.',
});

add({
  id: 'cg-tab-maintenance',
  type: 'tab',
  label: 'Maintenance',
  disabled: false,
  info: 'Maintenance windows (GET, POST and DELETE /api/maintenance) for operators: devices in a window leave availability and raise no alert.',
});

add({
  id: 'cg-tab-settings',
  type: 'tab',
  label: 'Settings',
  disabled: false,
  info: 'The alert thresholds (GET and PUT /api/thresholds) for admins, saved in the name of the admin who changes them.',
});

add({
  id: 'cg-mqtt',
  type: 'mqtt-broker',
  name: 'citygauge broker',
  // Node-RED's own environment substitution, not a JavaScript template.
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a Node-RED ${ENV} reference
  broker: '${CITYGAUGE_MQTT_HOST}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a Node-RED ${ENV} reference
  port: '${CITYGAUGE_MQTT_PORT}',
  clientid: '',
  autoConnect: true,
  usetls: false,
  protocolVersion: '4',
  keepalive: '60',
  cleansession: true,
  autoUnsubscribe: true,
  birthTopic: '',
  birthQos: '0',
  birthPayload: '',
  birthMsg: {},
  closeTopic: '',
  closeQos: '0',
  closePayload: '',
  closeMsg: {},
  willTopic: '',
  willQos: '0',
  willPayload: '',
  willMsg: {},
  userProps: '',
  sessionExpiry: '',
});
add({
  id: 'cg-ui-base',
  type: 'ui-base',
  name: 'citygauge',
  path: '/dashboard',
  appIcon: '',
  includeClientData: true,
  acceptsClientConfig: ['ui-notification', 'ui-control', 'ui-template'],
  showPathInSidebar: false,
  headerContent: 'page',
  navigationStyle: 'icon',
  titleBarStyle: 'default',
  showReconnectNotification: true,
  notificationDisplayTime: 1,
  showDisconnectNotification: true,
  allowInstall: false,
});
add({
  id: 'cg-ui-theme',
  type: 'ui-theme',
  name: 'citygauge',
  colors: {
    surface: '#1f3a5f',
    primary: '#1f6feb',
    bgPage: '#eef1f5',
    groupBg: '#ffffff',
    groupOutline: '#d0d7de',
  },
  sizes: {
    density: 'default',
    pagePadding: '12px',
    groupGap: '12px',
    groupBorderRadius: '6px',
    widgetGap: '12px',
  },
});
page('cg-page-city', 'City', '/city', 'city', 1);
page('cg-page-field', 'Field engineers', '/field', 'tools', 2);
// The ISO/IEC 30146 scorecard is served by citygauge itself (GET /report), so the dashboard links to it.
add({
  id: 'cg-link-report',
  type: 'ui-link',
  name: 'Scorecard',
  ui: 'cg-ui-base',
  path: '/report',
  icon: 'chart-box',
  order: 3,
  className: '',
  linkType: 'url',
  visible: 'true',
  disabled: 'false',
});
group('cg-grp-headline', 'cg-page-city', 'Live indicators', 12, 1);
group('cg-grp-alerts', 'cg-page-city', 'Alerts', 12, 2);
group('cg-grp-districts', 'cg-page-city', 'Districts', 6, 3);
group('cg-grp-map', 'cg-page-city', 'Devices down', 6, 4);
group('cg-grp-trends', 'cg-page-city', 'Last 24 hours', 12, 5);
group('cg-grp-budgets', 'cg-page-city', 'Error budgets', 12, 6);
group('cg-grp-incidents', 'cg-page-city', 'Incidents', 12, 7);
group('cg-grp-register', 'cg-page-field', 'Register a device', 6, 1);
group('cg-grp-lookup', 'cg-page-field', 'Look up a device', 6, 2);
group('cg-grp-upload', 'cg-page-field', 'Upload inventory', 12, 3);
// Only admins are sent the audit page, and only engineers and admins the field page (red/dashboard-pages.ts).
page('cg-page-audit', 'Audit', '/audit', 'history', 4);
group('cg-grp-audit', 'cg-page-audit', 'Audit trail', 12, 1);
// Only operators and above are sent the maintenance page (red/dashboard-pages.ts).
page('cg-page-maintenance', 'Maintenance', '/maintenance', 'wrench', 3);
group('cg-grp-maintenance', 'cg-page-maintenance', 'Maintenance windows', 12, 1);
// Only admins are sent the settings page, where thresholds are changed.
page('cg-page-settings', 'Settings', '/settings', 'cog', 5);
group('cg-grp-thresholds', 'cg-page-settings', 'Alert thresholds', 12, 1);
// Signing out is citygauge's, not the dashboard's: the link opens its sign-out form (GET /signout).
add({
  id: 'cg-link-signout',
  type: 'ui-link',
  name: 'Sign out',
  ui: 'cg-ui-base',
  path: '/signout',
  icon: 'logout',
  order: 6,
  className: '',
  linkType: 'url',
  visible: 'true',
  disabled: 'false',
});
add({
  id: 'cg-style',
  type: 'ui-template',
  z: 'cg-tab-city',
  group: '',
  page: '',
  ui: 'cg-ui-base',
  name: 'citygauge styles',
  order: 0,
  width: 0,
  height: 0,
  head: '',
  format: T.STYLE.replace(/<\/?style>/g, '').trim(),
  storeOutMessages: true,
  passthru: true,
  resendOnRefresh: true,
  templateScope: 'site:style',
  className: '',
  x: 140,
  y: 40,
  wires: [[]],
});

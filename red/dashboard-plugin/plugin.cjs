// Registers citygauge's Dashboard 2.0 hooks (red/dashboard-people.ts) with the embedded Node-RED. Node-RED
// loads plugins only from packages it finds on disk, so this one is found through `settings.nodesDir`, and
// the hooks themselves come from the settings red/embedded-red.ts starts Node-RED with.
module.exports = (RED) => {
  const hooks = RED.settings.citygaugeDashboardHooks;
  if (!hooks) throw new Error('citygauge-people: no citygaugeDashboardHooks in the Node-RED settings');
  RED.plugins.registerPlugin('citygauge-people', { type: 'node-red-dashboard-2', hooks });
};

// The dashboard acts for its person (issue 12): every message a Dashboard 2.0 widget sends into the flows
// carries who sent it, as `msg._client.user = { name, role }`, beside the socket id Dashboard 2.0 adds
// itself. The flows name that person to the HTTP API on every write (x-citygauge-person), which then acts
// with their role and audits it as theirs. A Dashboard 2.0 plugin hook, so it covers every way a widget
// sends (send, action, change) and the connect events alike.
import type { Person } from './dashboard-auth.js';

/** The settings key red/dashboard-plugin/plugin.cjs reads the hooks from. */
export const HOOKS_SETTING = 'citygaugeDashboardHooks';

interface Conn {
  data?: { person?: Person };
}

/** Dashboard 2.0's plugin hooks (`RED.plugins.registerPlugin(…, { type: 'node-red-dashboard-2', hooks })`). */
export const dashboardHooks = {
  /**
   * The person comes from the connection (red/dashboard-auth.ts put it there after checking the
   * session), never from the message: a browser can put anything in what it sends, `_client` included.
   */
  onAddConnectionCredentials(conn: Conn, msg: Record<string, unknown>) {
    const given = msg._client;
    const client: Record<string, unknown> = typeof given === 'object' && given !== null ? { ...given } : {};
    const person = conn.data?.person;
    if (person) client.user = { name: person.name, role: person.role };
    else delete client.user;
    msg._client = client;
    return msg;
  },
};

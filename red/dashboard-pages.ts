// Which dashboard pages each role sees (issue 12): the field engineers' page is for engineers and admins,
// the audit and settings pages for admins. Dashboard 2.0 sends every connected browser one description of the whole
// dashboard (its `ui-config` event: pages, groups, widgets); here that description is cut down per person
// before it leaves, so a page a role may not see is not hidden in the browser but never sent: not in the
// navigation, not reachable by its URL, and its widgets neither receive data nor send it.
import { allows, type Role } from '../people/roles.js';

/**
 * The role each restricted page needs, by the page node's id in flows/citygauge.json. Ids, not names or
 * paths: they survive edits and deploys in the editor. Pages not listed are for every signed-in person.
 */
export const PAGE_ROLES: Readonly<Record<string, Role>> = {
  'cg-page-field': 'engineer',
  'cg-page-maintenance': 'operator',
  'cg-page-audit': 'admin',
  'cg-page-settings': 'admin',
};

/** The part of Dashboard 2.0's `ui-config` payload this reads; everything else passes through. */
export interface UiConfig {
  pages?: Record<string, unknown>;
  groups?: Record<string, { page?: string }>;
  widgets?: Record<string, { props?: { group?: string; page?: string } }>;
  [key: string]: unknown;
}

/** The page a widget sits on, directly or through its group; undefined for site-wide widgets. */
function pageOf(config: UiConfig, widgetId: string): string | undefined {
  const props = config.widgets?.[widgetId]?.props;
  if (!props) return undefined;
  if (props.group) return config.groups?.[props.group]?.page;
  return props.page || undefined;
}

function withheldPages(config: UiConfig, role: Role, pageRoles: Readonly<Record<string, Role>>) {
  return new Set(
    Object.keys(config.pages ?? {}).filter((id) => {
      const need = pageRoles[id];
      return need !== undefined && !allows(role, need);
    }),
  );
}

/** What `role` may be sent of `config`, and the ids of the widgets it leaves out. */
export function configFor(
  config: UiConfig,
  role: Role,
  pageRoles: Readonly<Record<string, Role>> = PAGE_ROLES,
): { config: UiConfig; withheldWidgets: Set<string> } {
  const pages = withheldPages(config, role, pageRoles);
  const withheldWidgets = new Set<string>();
  if (pages.size === 0) return { config, withheldWidgets };
  for (const id of Object.keys(config.widgets ?? {})) {
    const page = pageOf(config, id);
    if (page && pages.has(page)) withheldWidgets.add(id);
  }
  const keep = <T>(record: Record<string, T> | undefined, out: (id: string, v: T) => boolean) =>
    record && Object.fromEntries(Object.entries(record).filter(([id, v]) => !out(id, v)));
  return {
    config: {
      ...config,
      pages: keep(config.pages, (id) => pages.has(id)),
      groups: keep(config.groups, (_id, g) => !!g.page && pages.has(g.page)),
      widgets: keep(config.widgets, (id) => withheldWidgets.has(id)),
    },
    withheldWidgets,
  };
}

/**
 * The widget an outgoing per-widget event is for (`msg-input:<id>`, `widget-load:<id>`, `ui-control:<id>`
 * …), or undefined for events about the whole dashboard.
 */
export function widgetOfEvent(event: string): string | undefined {
  const colon = event.indexOf(':');
  return colon > 0 ? event.slice(colon + 1) : undefined;
}

// The audit trail counted for Prometheus: sign-ins, refused sign-ins and every change, by action and
// outcome, so a rising count of refused sign-ins can page someone (issue 12; rules in deploy/, issue 13).
import { Counter, type Registry } from 'prom-client';
import type { People } from './people.js';

export function countAuditEntries(people: People, registry: Registry): void {
  const entries = new Counter({
    name: 'citygauge_audit_entries_total',
    help: 'Entries appended to the audit trail by this process, by action (signin, signin.refused, device.create, …) and outcome',
    labelNames: ['action', 'outcome'],
    registers: [registry],
  });
  people.onAudit.push((e) => entries.inc({ action: e.action, outcome: e.outcome }));
}

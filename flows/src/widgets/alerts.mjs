import { CAN_ACK, listAndNotice, MOUNTED_ROLE } from './role.mjs';
import { STAMP } from './time.mjs';

export const ALERTS = `<template>
  <div data-testid="alerts">
    <div v-if="notice" :class="notice.ok ? 'cg-okmsg' : 'cg-error'" data-testid="ack-notice">{{ notice.text }}</div>
    <div v-if="!(view.alerts || []).length" class="cg-muted">No alerts.</div>
    <table v-else class="cg-table">
      <thead><tr><th>Severity</th><th>Indicator</th><th>Scope</th><th>Value</th><th>Raised</th><th>State</th><th></th></tr></thead>
      <tbody>
        <tr v-for="a in view.alerts" :key="a.alertId" :data-alert="a.alertId" :data-indicator="a.indicator">
          <td :class="'cg-sev-' + a.severity">{{ a.severity }}</td>
          <td>{{ a.indicator }}</td><td>{{ a.scope }}</td>
          <td v-if="a.kind === 'burn-rate'" data-testid="burn">{{ burn(a) }}</td>
          <td v-else>{{ Number(a.value).toFixed(1) }} &lt; {{ a.below }}</td>
          <td data-testid="raised-at">{{ stamp(a.raisedAt, true) }}</td>
          <td data-testid="alert-state">{{ state(a) }}</td>
          <td><button v-if="canAck && !a.acknowledgedAt && !a.clearedAt" class="cg-btn" @click="ack(a)" data-testid="ack" title="acknowledged in your name">Acknowledge</button></td>
        </tr>
      </tbody>
    </table>
  </div>
</template>
<script>
export default {
  // Acknowledging is for operators and above (the API refuses anyone else): a viewer is not offered it.
  data() { return { role: null, list: null, notice: null, noticeTimer: null } },
  ${MOUNTED_ROLE}
  unmounted() { clearTimeout(this.noticeTimer) },
  watch: {
    ${listAndNotice()}
  },
  computed: {
    view() { return this.list || {} },
    ${CAN_ACK}
  },
  methods: {
    ${STAMP}
    state(a) {
      if (a.clearedAt) return 'cleared ' + this.stamp(a.clearedAt)
      if (a.acknowledgedAt) return 'acknowledged by ' + a.acknowledgedBy
      return 'open'
    },
    // A burn-rate alert (issue 14 item 5): its rule and the burn rate of each of its two windows.
    burn(a) {
      const d = a.detail || {}
      const w = Object.entries(d.windows || {}).map(([k, v]) => (v === null ? '—' : Number(v).toFixed(1)) + '× ' + k).join(', ')
      return d.rule + ': budget burning ' + w + ' (over ' + d.burnRate + '×)'
    },
    // The dashboard adds who clicked (msg._client.user): no name is typed, none is taken from the page.
    ack(a) { this.send({ topic: 'ack', payload: { alertId: a.alertId } }) },
  },
}
</script>`;

// Root-cause incidents (issue 14 item 1): one row per incident, open first; a click opens its devices, its
// timeline (GET /api/incidents/{id}, read with the person's own session) and, for operators, Acknowledge.

import { CAN_ACK, listAndNotice, MOUNTED_ROLE } from './role.mjs';
import { STAMP } from './time.mjs';

export const INCIDENTS = `<template>
  <div data-testid="incidents">
    <div v-if="notice" :class="notice.ok ? 'cg-okmsg' : 'cg-error'" data-testid="incident-notice">{{ notice.text }}</div>
    <div v-if="!(view.incidents || []).length" class="cg-muted">No incidents.</div>
    <table v-else class="cg-table">
      <thead><tr><th></th><th>Cause</th><th>What</th><th>Down now</th><th>Raised</th><th>State</th></tr></thead>
      <tbody>
        <template v-for="i in view.incidents" :key="i.id">
          <tr :data-incident="i.id" :data-status="i.status" data-testid="incident-row" style="cursor: pointer" @click="toggle(i)">
            <td>{{ open[i.id] ? '▾' : '▸' }}</td>
            <td :class="i.cause === 'district' ? 'cg-sev-critical' : 'cg-sev-major'">{{ i.cause }}</td>
            <td data-testid="incident-what">{{ what(i) }}</td>
            <td>{{ i.downNow }}</td>
            <td>{{ stamp(i.raisedAt, true) }}</td>
            <td data-testid="incident-state">{{ state(i) }}</td>
          </tr>
          <tr v-if="open[i.id]" data-testid="incident-detail" :data-incident="i.id">
            <td></td>
            <td colspan="5">
              <div><b>Devices:</b> {{ i.devices.join(', ') }}</div>
              <div v-if="i.effects.length"><b>Dark behind {{ i.cause === 'gateway' ? 'it' : 'their gateways' }}:</b> {{ i.effects.join(', ') }}</div>
              <div v-if="detail[i.id] && detail[i.id].alerts.length"><b>Alerts it explains:</b> {{ detail[i.id].alerts.join(', ') }}</div>
              <ul v-if="detail[i.id]" data-testid="incident-timeline" style="margin: 4px 0">
                <li v-for="(e, n) in detail[i.id].timeline" :key="n">{{ stamp(e.at, true) }} {{ e.kind }}{{ e.by ? ' by ' + e.by : '' }}{{ e.devices ? ': ' + e.devices.join(', ') : '' }}{{ e.into ? ' into ' + e.into : '' }}</li>
              </ul>
              <div v-else class="cg-muted">Loading the timeline…</div>
              <button v-if="canAck && i.status !== 'resolved' && !i.acknowledgedAt" class="cg-btn" @click.stop="ack(i)" data-testid="incident-ack" title="acknowledged in your name">Acknowledge</button>
            </td>
          </tr>
        </template>
      </tbody>
    </table>
  </div>
</template>
<script>
export default {
  data() { return { role: null, open: {}, detail: {}, list: null, notice: null, noticeTimer: null } },
  ${MOUNTED_ROLE}
  unmounted() { clearTimeout(this.noticeTimer) },
  watch: {
    // A change to an incident reloads the timelines that are open.
    ${listAndNotice('for (const id of Object.keys(this.open)) if (this.open[id]) this.load(id)')}
  },
  computed: {
    view() { return this.list || {} },
    ${CAN_ACK}
  },
  methods: {
    ${STAMP}
    what(i) {
      const n = (k, one) => k + ' ' + one + (k === 1 ? '' : 's')
      if (i.cause === 'gateway') return 'gateway ' + i.subject + (i.effects.length ? ', ' + n(i.effects.length, 'camera') + ' dark behind it' : '') + (i.district ? ' (' + i.district + ')' : '')
      if (i.cause === 'district') return 'district ' + i.subject + ': ' + n(i.devices.length, 'device') + ' down together'
      return i.subject + (i.district ? ' (' + i.district + ')' : '')
    },
    state(i) {
      if (i.status === 'resolved') return i.mergedInto ? 'merged into ' + i.mergedInto : 'resolved ' + this.stamp(i.resolvedAt)
      const s = i.status === 'recovering' ? 'recovering since ' + this.stamp(i.recoveringSince) : 'open'
      return s + (i.refailures ? ', failed again ' + i.refailures + '×' : '') + (i.acknowledgedAt ? ', acknowledged by ' + i.acknowledgedBy : '')
    },
    toggle(i) {
      this.open = { ...this.open, [i.id]: !this.open[i.id] }
      if (this.open[i.id]) this.load(i.id)
    },
    load(id) {
      fetch('/api/incidents/' + encodeURIComponent(id), { credentials: 'same-origin' })
        .then((r) => (r.ok ? r.json() : null))
        .then((d) => { if (d) this.detail = { ...this.detail, [id]: d } })
        .catch(() => {})
    },
    ack(i) { this.send({ topic: 'ack', payload: { id: i.id } }) },
  },
}
</script>`;

// Error budgets (issue 14 item 5): one row per objective from GET /api/objectives, its budget left as a bar
// and as time, the short and long burn rates, and whether a burn-rate alert is open.

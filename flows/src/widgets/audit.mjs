import { STAMP } from './time.mjs';

export const AUDIT = `<template>
  <div data-testid="audit">
    <form style="display: flex; gap: 8px; align-items: center; flex-wrap: wrap" @submit.prevent="refresh">
      <label>Actor <input v-model="actor" data-testid="audit-actor" placeholder="any" style="border: 1px solid #c4ccd6; border-radius: 4px; padding: 3px 6px" /></label>
      <label>Action <input v-model="action" data-testid="audit-action" placeholder="any, e.g. device.create" style="border: 1px solid #c4ccd6; border-radius: 4px; padding: 3px 6px" /></label>
      <button class="cg-btn" type="submit" data-testid="audit-refresh">Refresh</button>
      <span class="cg-muted" data-testid="audit-updated">{{ updated }}</span>
    </form>
    <div v-if="view.message" class="cg-error" data-testid="audit-error">{{ view.message }}</div>
    <div v-else-if="!entries.length" class="cg-muted">{{ view.entries ? 'No entries match.' : 'Loading the audit trail…' }}</div>
    <table v-else class="cg-table">
      <thead><tr><th>#</th><th>When</th><th>Who</th><th>Via</th><th>From</th><th>Action</th><th>Target</th><th>Outcome</th><th>Change</th></tr></thead>
      <tbody>
        <tr v-for="e in entries" :key="e.seq" data-testid="audit-entry" :data-seq="e.seq">
          <td>{{ e.seq }}</td>
          <td data-testid="audit-at">{{ stamp(e.at, true) }}</td>
          <td data-testid="audit-who">{{ e.actor }}<span v-if="e.role" class="cg-muted"> ({{ e.role }})</span></td>
          <td>{{ e.via }}</td><td>{{ e.address || '—' }}</td>
          <td data-testid="audit-what">{{ e.action }}</td><td>{{ e.target || '—' }}</td>
          <td :class="e.outcome === 'ok' ? 'cg-okmsg' : 'cg-error'">{{ e.outcome }}</td>
          <td class="cg-muted" style="font-family: monospace; font-size: 0.8em">{{ change(e) }}</td>
        </tr>
      </tbody>
    </table>
  </div>
</template>
<script>
export default {
  data() { return { actor: '', action: '', timer: null } },
  computed: {
    view() { return this.msg && this.msg.topic === 'audit' ? this.msg.payload || {} : {} },
    // Filtered here too, in case the API returned more than the filters match.
    entries() {
      const actor = this.actor.trim().toLowerCase(), action = this.action.trim().toLowerCase()
      return (this.view.entries || []).filter((e) =>
        (!actor || String(e.actor).toLowerCase().includes(actor)) && (!action || String(e.action).toLowerCase().includes(action)))
    },
    updated() { return this.view.fetchedAt ? 'as of ' + this.stamp(this.view.fetchedAt) : '' },
  },
  mounted() {
    this.refresh()
    this.timer = setInterval(() => this.refresh(), 10000)
  },
  unmounted() { clearInterval(this.timer) },
  methods: {
    ${STAMP}
    refresh() { this.send({ topic: 'audit', payload: { actor: this.actor.trim(), action: this.action.trim() } }) },
    change(e) {
      const show = (v) => v === null || v === undefined ? '—' : JSON.stringify(v)
      return e.before === null && e.after === null ? '' : show(e.before) + ' → ' + show(e.after)
    },
  },
}
</script>`;

// The thresholds editor (admins only: red/dashboard-pages.ts): the alert thresholds from GET /api/thresholds,
// edited here and saved whole with PUT /api/thresholds in the name of the admin who clicked Save. A refused
// save keeps the edits on the page, with the API's reasons.

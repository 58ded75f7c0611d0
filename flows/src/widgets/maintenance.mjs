import { CITY_INSTANT, stampIn } from './time.mjs';

export const MAINTENANCE = `<template>
  <div data-testid="maintenance">
    <div v-if="notice" :class="notice.ok ? 'cg-okmsg' : 'cg-error'" data-testid="maintenance-notice">{{ notice.text }}</div>
    <form class="cg-maint-form" @submit.prevent="plan" data-testid="maintenance-form">
      <label>Start ({{ timeZone || 'UTC' }}) <input v-model="form.start" name="start" type="datetime-local" required /></label>
      <label>End ({{ timeZone || 'UTC' }}) <input v-model="form.end" name="end" type="datetime-local" required /></label>
      <label>Reason <input v-model.trim="form.reason" name="reason" required placeholder="e.g. replace the lens" /></label>
      <label>Devices <input v-model="form.devices" name="devices" placeholder="ids, comma-separated" /></label>
      <label>Assets <input v-model="form.assets" name="assets" placeholder="ids, comma-separated" /></label>
      <label>Districts <input v-model="form.districts" name="districts" placeholder="names, comma-separated" /></label>
      <button class="cg-btn" type="submit" data-testid="maintenance-plan">Plan the window</button>
    </form>
    <div v-if="!loaded" class="cg-muted">Loading the windows…</div>
    <div v-else-if="!windows.length" class="cg-muted">No maintenance windows.</div>
    <table v-else class="cg-table">
      <thead><tr><th>Status</th><th>Start</th><th>End</th><th>Reason</th><th>Covers</th><th>Devices</th><th>By</th><th></th></tr></thead>
      <tbody>
        <tr v-for="w in windows" :key="w.id" data-testid="maintenance-window" :data-id="w.id" :data-status="w.status">
          <td>{{ w.status }}</td>
          <td>{{ stamp(w.start, true) }}</td>
          <td>{{ stamp(w.end, true) }}</td>
          <td>{{ w.reason }}</td>
          <td>{{ [...w.devices, ...w.assets, ...w.districts].join(', ') }}</td>
          <td>{{ w.deviceCount }}</td>
          <td>{{ w.by }}</td>
          <td>
            <button v-if="w.status === 'planned' || w.status === 'active'" class="cg-btn" type="button" @click="cancel(w)" data-testid="maintenance-cancel">
              {{ w.status === 'active' ? 'End now' : 'Cancel' }}
            </button>
          </td>
        </tr>
      </tbody>
    </table>
  </div>
</template>
<script>
export default {
  data() {
    return { windows: [], loaded: false, notice: null, timeZone: undefined,
      form: { start: '', end: '', reason: '', devices: '', assets: '', districts: '' } }
  },
  watch: {
    msg: {
      immediate: true,
      handler(m) {
        if (!m || m.topic !== 'maintenance' || !m.payload) return
        this.timeZone = m.payload.timeZone
        if (m.payload.notice) this.notice = m.payload.notice
        if (Array.isArray(m.payload.windows)) {
          this.windows = m.payload.windows
          this.loaded = true
        }
        if (m.payload.changed) this.send({ topic: 'load' })
      },
    },
  },
  // Read again each minute: a window planned when the page loaded may have opened since, and its button with it.
  mounted() {
    this.send({ topic: 'load' })
    this.reload = setInterval(() => this.send({ topic: 'load' }), 60000)
  },
  unmounted() { clearInterval(this.reload) },
  methods: {
    ${stampIn('this.timeZone')}
    ${CITY_INSTANT}
    plan() {
      this.notice = null
      const f = this.form
      this.send({ topic: 'plan', payload: {
        start: this.cityInstant(f.start), end: this.cityInstant(f.end), reason: f.reason,
        devices: this.ids(f.devices), assets: this.ids(f.assets), districts: this.ids(f.districts) } })
    },
    // Dashboard 2.0 reads a template's script as the component object alone: no declarations beside it.
    ids(text) { return (text || '').split(',').map((s) => s.trim()).filter(Boolean) },
    cancel(w) { this.notice = null; this.send({ topic: 'cancel', payload: { id: w.id } }) },
  },
}
</script>
<style>
.cg-maint-form { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; margin-bottom: 12px; }
.cg-maint-form label { display: flex; flex-direction: column; font-size: 0.85em; }
.cg-maint-form input { border: 1px solid #c4ccd6; border-radius: 4px; padding: 3px 6px; }
</style>`;

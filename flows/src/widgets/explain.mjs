import { STAMP } from './time.mjs';

// What is behind a gauge (issue 15): a dialog over the City page with the devices and assets missing from
// the value, since when, and what a 0 means. The flow sends it to the browser whose gauge was clicked only.
export const EXPLAIN = `<template>
  <div v-if="open" class="cg-explain-backdrop" @click.self="close">
    <div class="cg-explain" role="dialog" aria-modal="true" data-testid="explain" :data-indicator="e.id" :data-scope="e.scope">
      <button class="cg-explain-close" data-testid="explain-close" aria-label="Close" title="Close (Esc)" @click="close">×</button>
      <h3 style="margin: 0 0 6px"><b>{{ e.id }}</b> {{ e.name }} <span class="cg-muted">{{ e.scope === 'city' ? 'city-wide' : 'in ' + e.scope }}</span></h3>
      <div v-if="e.error" class="cg-error" data-testid="explain-error">{{ e.error }}</div>
      <template v-else>
        <div data-testid="explain-value"><span class="cg-explain-value">{{ fmt(e.value) }} {{ e.unit }}</span>&nbsp;
          <span class="cg-muted" v-if="e.denominator !== null">{{ count(e.numerator) }} of {{ count(e.denominator) }}, at {{ stamp(e.ts, true) }}</span></div>
        <p v-if="e.why" data-testid="explain-why"><b>Why it reads {{ fmt(e.value) }}:</b> {{ e.why }}</p>
        <p v-if="e.zero" data-testid="explain-zero"><b>What a 0 means:</b> {{ e.zero }}</p>
        <p v-if="e.threshold" data-testid="explain-threshold">Alert below {{ e.threshold.below }} {{ e.unit }} ({{ e.threshold.severity }}){{ e.threshold.against === 'city' && e.scope !== 'city' ? ", against the city's threshold: " + e.scope + ' has none of its own' : '' }}.</p>
        <p v-if="e.quality && e.quality.flag !== 'good'" class="cg-muted">Data quality {{ e.quality.flag }}{{ e.quality.reason ? ': ' + e.quality.reason : '' }}</p>
        <p v-if="e.maintenance" class="cg-muted">{{ count(e.maintenance) }} devices in maintenance are left out of the value.</p>
        <p v-if="e.plannedGap" class="cg-muted">{{ count(e.plannedGap) }} of the gap is planned (maintenance).</p>
        <div v-if="e.parts.length" data-testid="explain-parts"><b>Made of:</b>
          <button v-for="p in e.parts" :key="p" class="cg-btn cg-part" @click="explain(p)">{{ p }}</button></div>
        <template v-if="e.devices.length">
          <h4>Devices behind the gap ({{ e.devices.length + e.moreDevices }})</h4>
          <table class="cg-table" data-testid="explain-devices">
            <thead><tr><th>Device</th><th>Kind</th><th>Why it does not count</th><th>Since</th><th>Last heard</th></tr></thead>
            <tbody><tr v-for="d in e.devices" :key="d.id" :data-device="d.id"><td>{{ d.id }}</td><td>{{ d.kind }}</td><td>{{ reason(d) }}</td><td>{{ d.since ? stamp(d.since, true) : '—' }}</td><td>{{ d.lastSeen ? stamp(d.lastSeen, true) : 'never' }}</td></tr></tbody>
          </table>
          <div v-if="e.moreDevices" class="cg-muted">and {{ e.moreDevices }} more (GET /api/indicators/{{ e.id }}?scope={{ e.scope }})</div>
        </template>
        <template v-if="e.assets.length">
          <h4>Assets not covered ({{ e.assets.length + e.moreAssets }})</h4>
          <table class="cg-table" data-testid="explain-assets">
            <thead><tr><th>Asset</th><th>Type</th><th>Devices that could cover it</th><th>Since</th></tr></thead>
            <tbody><tr v-for="a in e.assets" :key="a.id" :data-asset="a.id"><td>{{ a.id }}</td><td>{{ a.type }}</td><td>{{ a.devices.join(', ') || 'none' }}</td><td>{{ a.since ? stamp(a.since, true) : '—' }}</td></tr></tbody>
          </table>
          <div v-if="e.moreAssets" class="cg-muted">and {{ e.moreAssets }} more</div>
        </template>
        <p v-if="!e.devices.length && !e.assets.length && !e.parts.length" data-testid="explain-none">Nothing is missing: every device and asset it counts is in.</p>
      </template>
    </div>
  </div>
</template>
<script>
export default {
  data() { return { closed: null } },
  computed: {
    e() { return this.msg && this.msg.topic === 'explain' ? this.msg.payload : null },
    // STAMP reads the city's zone from this.view.
    view() { return this.e || {} },
    open() { return !!this.e && this.e.opened !== this.closed },
  },
  mounted() { window.addEventListener('keydown', this.onKey) },
  unmounted() { window.removeEventListener('keydown', this.onKey) },
  methods: {
    ${STAMP}
    close() { this.closed = this.e && this.e.opened },
    onKey(ev) { if (ev.key === 'Escape' && this.open) this.close() },
    explain(id) { this.send({ topic: 'explain', payload: { id, scope: this.e.scope } }) },
    fmt(v) { return v === null || v === undefined ? '—' : Number(v).toFixed(1) },
    count(v) { return v === null || v === undefined ? '—' : Math.round(v).toLocaleString('en') },
    // The engine's reasons (engine/device-status.ts), in words; offline splits into never heard and silent.
    reason(d) {
      if (d.reason === 'offline') return d.lastSeen ? 'offline or silent' : 'never heard'
      const words = { 'behind-offline-gateway': 'behind an offline gateway', 'video-lost': 'video lost', 'not-shared': 'not shared', 'not-hd': 'not HD', maintenance: 'in maintenance' }
      return words[d.reason] || d.reason
    },
  },
}
</script>`;

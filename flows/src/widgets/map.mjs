// The City page's map: district outlines coloured by their share of devices down, every device gathered into
// cells drawn as circles with counts (GET /api/devices/map), the devices down in red, and the down list
// saying how long each has been down and why (city/devices/down).
import { STAMP } from './time.mjs';

export const MAP = `<template>
  <div class="cg-map" data-testid="down-map">
    <div class="cg-muted" data-testid="map-summary">{{ summary }}</div>
    <svg v-if="drawn.any" viewBox="0 0 400 300" preserveAspectRatio="xMidYMid meet" data-testid="map-svg">
      <g v-for="d in drawn.districts" :key="'o' + d.id" data-testid="district-outline" :data-district="d.id" :data-state="d.state">
        <path :d="d.path" :fill="d.fill" fill-opacity="0.55" stroke="#546e7a" stroke-width="0.8" fill-rule="evenodd">
          <title>{{ d.name }}: {{ d.down }} of {{ d.count }} devices down</title>
        </path>
      </g>
      <g v-for="c in drawn.cells" :key="'c' + c.key" data-testid="map-cluster" :data-count="c.count" :data-down="c.down">
        <circle :cx="c.x" :cy="c.y" :r="c.r" fill="#455a64" fill-opacity="0.35" :stroke="c.down ? '#c62828' : '#37474f'" :stroke-width="c.down ? 1.2 : 0.5">
          <title>{{ c.count }} devices{{ c.down ? ', ' + c.down + ' down' : '' }}</title>
        </circle>
        <text v-if="c.r >= 6" :x="c.x" :y="c.y + 2.5" text-anchor="middle" font-size="7" fill="#102027">{{ c.count }}</text>
      </g>
      <circle v-for="d in drawn.down" :key="'d' + d.id" data-testid="map-down" :data-device="d.id" :cx="d.x" :cy="d.y" r="1.8" fill="#c62828">
        <title>{{ d.id }} ({{ d.kind }}): {{ d.cause }}</title>
      </circle>
      <text v-for="d in drawn.districts" :key="'n' + d.id" data-testid="district-name" :data-district="d.id" :x="d.lx" :y="d.ly" text-anchor="middle" font-size="9" font-weight="600" fill="#263238" stroke="#ffffff" stroke-width="2" paint-order="stroke">{{ d.name }}</text>
    </svg>
    <table class="cg-table" data-testid="down-list">
      <tr><th>device</th><th>kind</th><th>district</th><th>down for</th><th>why</th></tr>
      <tr v-for="d in listed" :key="d.id" data-testid="down-row" :data-device="d.id" :data-cause="d.cause">
        <td>{{ d.id }}</td><td>{{ d.kind }}</td><td>{{ d.district }}</td>
        <td data-testid="down-for" :title="d.since ? 'since ' + stamp(d.since, true) : ''">{{ downFor(d) }}</td>
        <td data-testid="down-why">{{ causeWords(d) }}</td>
      </tr>
    </table>
    <div v-if="hidden" class="cg-muted">{{ hidden }}</div>
  </div>
</template>
<script>
export default {
  data() { return { now: Date.now() } },
  mounted() { this.timer = setInterval(() => { this.now = Date.now() }, 15000) },
  unmounted() { clearInterval(this.timer) },
  computed: {
    view() { return (this.msg && this.msg.payload) || {} },
    summary() {
      const v = this.view
      if (v.count === undefined) return 'waiting for the engine'
      const never = v.neverHeard || 0
      return v.count + ' of ' + v.total + ' devices down' + (never ? ' (' + never + ' never heard)' : '') +
        '; ' + v.placed + ' on the map in ' + (v.cells || []).length + ' cells'
    },
    listed() { return (this.view.down || []).slice(0, 12) },
    hidden() {
      const v = this.view
      const more = (v.count || 0) - this.listed.length
      return more > 0 ? more + ' more down, not listed: GET /api/devices/down has up to 2,000, the Field page each one' : ''
    },
    drawn() {
      const v = this.view
      const rings = (o) => !o ? [] : o.type === 'Polygon' ? o.coordinates : o.type === 'MultiPolygon' ? o.coordinates.flat() : []
      let [s, n, w, e] = [90, -90, 180, -180]
      const grow = (lat, lon) => { s = Math.min(s, lat); n = Math.max(n, lat); w = Math.min(w, lon); e = Math.max(e, lon) }
      for (const d of v.districts || []) for (const r of rings(d.outline)) for (const p of r) grow(p[1], p[0])
      if (v.bounds) { grow(v.bounds.south, v.bounds.west); grow(v.bounds.north, v.bounds.east) }
      if (s > n) return { any: false }
      // Equirectangular, with longitude shrunk by cos(latitude) so districts keep their shape.
      const shrink = Math.cos(((s + n) / 2) * Math.PI / 180)
      const k = Math.min(380 / Math.max((e - w) * shrink, 1e-9), 280 / Math.max(n - s, 1e-9))
      const ox = (400 - (e - w) * shrink * k) / 2
      const oy = (300 - (n - s) * k) / 2
      const x = (lon) => ox + (lon - w) * shrink * k
      const y = (lat) => 300 - oy - (lat - s) * k
      const fill = (d) => d.count === 0 ? '#eceff1' : d.down === 0 ? '#c8e6c9' : d.down / d.count < 0.1 ? '#ffe082' : '#ef9a9a'
      const state = (d) => d.count === 0 ? 'empty' : d.down === 0 ? 'ok' : d.down / d.count < 0.1 ? 'some-down' : 'many-down'
      const districts = (v.districts || []).filter((d) => d.outline).map((d) => {
        const all = rings(d.outline)
        const path = all.map((r) => 'M' + r.map((p) => x(p[0]).toFixed(1) + ' ' + y(p[1]).toFixed(1)).join('L') + 'Z').join('')
        // The label at the mean of the largest ring's corners (the closing corner counted once).
        const outer = all.reduce((a, b) => (b.length > a.length ? b : a), [])
        const corners = outer.slice(0, -1)
        const lx = corners.reduce((t, p) => t + x(p[0]), 0) / corners.length
        const ly = corners.reduce((t, p) => t + y(p[1]), 0) / corners.length
        return { ...d, path, lx, ly, fill: fill(d), state: state(d) }
      })
      const most = Math.max(1, ...(v.cells || []).map((c) => c.count))
      const cells = (v.cells || []).map((c, i) => ({ ...c, key: i, x: x(c.lon), y: y(c.lat), r: 2 + 12 * Math.sqrt(c.count / most) }))
      const down = (v.mapDown || []).map((d) => ({ ...d, x: x(d.lon), y: y(d.lat) }))
      return { any: true, districts, cells, down }
    },
  },
  methods: {
    ${STAMP}
    duration(ms) {
      const m = Math.max(0, Math.floor(ms / 60000))
      if (m < 1) return 'under a minute'
      if (m < 60) return m + ' min'
      const h = Math.floor(m / 60)
      if (h < 48) return h + ' h ' + (m % 60) + ' min'
      return Math.floor(h / 24) + ' d ' + (h % 24) + ' h'
    },
    downFor(d) {
      if (!d.since) return d.cause === 'never-heard' ? 'not heard since the start' : 'since the start'
      return 'down ' + this.duration(this.now - Date.parse(d.since))
    },
    causeWords(d) {
      switch (d.cause) {
        case 'never-heard': return 'never heard'
        case 'silent': return 'silent: nothing within 3 × its ' + d.expectedIntervalS + ' s interval' + (d.lastSeen ? ', last heard ' + this.stamp(d.lastSeen) : '')
        case 'offline': return 'offline: it said so (status or Last Will)'
        case 'behind-gateway': return 'behind gateway ' + d.gateway + ', which is down'
        case 'maintenance': return 'in planned maintenance'
        default: return d.reason || d.cause || ''
      }
    },
  },
}
</script>`;

// Vue templates of the dashboard widgets (Dashboard 2.0 ui-template).
export const STYLE = `
<style>
.cg-muted { color: #5b6675; font-size: 0.85em; }
.cg-cards { display: flex; flex-wrap: wrap; gap: 12px; }
.cg-card { width: 190px; border-radius: 6px; padding: 8px 10px; background: #f7f9fb; border-top: 6px solid #9aa5b1; }
.cg-card.cg-ok { border-top-color: #2e7d32; } .cg-card.cg-warn { border-top-color: #f9a825; }
.cg-card.cg-alarm { border-top-color: #c62828; } .cg-card.cg-none { border-top-color: #1f6feb; }
.cg-gauge { width: 100%; height: 70px; }
.cg-track { fill: none; stroke: #dde3ea; stroke-width: 12; }
.cg-fill { fill: none; stroke-width: 12; stroke: #1f6feb; }
.cg-ok .cg-fill { stroke: #2e7d32; } .cg-warn .cg-fill { stroke: #f9a825; } .cg-alarm .cg-fill { stroke: #c62828; }
.cg-tick { stroke: #222; stroke-width: 2; }
.cg-value { font-size: 1.8em; font-weight: 600; text-align: center; margin-top: -18px; }
.cg-name { font-size: 0.85em; min-height: 2.4em; }
.cg-means { display: flex; gap: 8px; justify-content: space-between; font-size: 0.8em; color: #5b6675; }
.cg-table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
.cg-table th, .cg-table td { border-bottom: 1px solid #e3e7ec; padding: 4px 6px; text-align: left; }
.cg-cell-alarm { background: #fde0e0; } .cg-cell-warn { background: #fff4d6; }
.cg-sev-critical, .cg-sev-major { color: #c62828; font-weight: 600; } .cg-sev-minor { color: #b26a00; }
.cg-form { display: grid; grid-template-columns: 150px 1fr; gap: 6px 10px; align-items: center; max-width: 560px; }
.cg-form input, .cg-form select { border: 1px solid #c4ccd6; border-radius: 4px; padding: 4px 6px; width: 100%; }
.cg-btn { background: #1f6feb; color: #fff; border-radius: 4px; padding: 4px 12px; margin: 4px 0; }
.cg-btn:disabled { background: #9aa5b1; }
.cg-secret { font-family: monospace; background: #fff4d6; padding: 6px; word-break: break-all; }
.cg-error { color: #c62828; } .cg-okmsg { color: #2e7d32; }
.cg-trends { display: flex; flex-wrap: wrap; gap: 12px; }
.cg-trend { width: 300px; } .cg-trend svg { width: 100%; height: 110px; background: #f7f9fb; }
.cg-line { fill: none; stroke: #1f6feb; stroke-width: 1.5; }
.cg-grid { stroke: #dde3ea; stroke-width: 1; }
.cg-map svg { width: 100%; max-height: 420px; background: #f2f5f8; }
.cg-dot { fill: #b8c2cc; } .cg-down { fill: #c62828; }
</style>`;

// Times on the pages are the city's (GET /api/city timeZone, sent in each view), never the browser's:
// an operations centre and a city can sit in different zones. `2026-01-05 06:00:00 PST`, date optional.
const STAMP = `stamp(iso, withDate) {
      if (!iso) return ''
      const parts = {}
      const f = new Intl.DateTimeFormat('en-US', { timeZone: this.view.timeZone || 'UTC', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short' })
      for (const p of f.formatToParts(new Date(iso))) parts[p.type] = p.value
      return (withDate ? parts.year + '-' + parts.month + '-' + parts.day + ' ' : '') + parts.hour + ':' + parts.minute + ':' + parts.second + ' ' + parts.timeZoneName
    },`;

export const HEADLINE = `<template>
  <div>
    <div class="cg-muted" data-testid="last-update">Last update: {{ updated }}</div>
    <div v-for="section in sections" :key="section.title">
      <h4 style="margin: 10px 0 6px">{{ section.title }}</h4>
      <div class="cg-cards">
        <div v-for="i in section.items" :key="i.id" :class="['cg-card', 'cg-' + i.state]" :data-indicator="i.id">
          <svg class="cg-gauge" viewBox="0 0 120 68">
            <path class="cg-track" d="M10 60 A50 50 0 0 1 110 60" />
            <path v-if="i.value !== null" class="cg-fill" :d="arc(i.value)" />
            <line v-if="i.below !== null" class="cg-tick" :x1="tick(i.below, 40)[0]" :y1="tick(i.below, 40)[1]" :x2="tick(i.below, 58)[0]" :y2="tick(i.below, 58)[1]" />
          </svg>
          <div class="cg-value" data-testid="value">{{ fmt(i.value) }}</div>
          <div class="cg-name"><b>{{ i.id }}</b> {{ i.name }}</div>
          <div class="cg-means" title="time-weighted means"><span>mean</span><span v-for="(v, w) in i.means" :key="w">{{ w }} <b>{{ fmt(v) }}</b></span></div>
          <div v-if="i.below !== null" class="cg-muted">alert below {{ i.below }} ({{ i.severity }})</div>
          <div v-if="i.why" class="cg-muted" data-testid="why">{{ i.why }}</div>
        </div>
      </div>
    </div>
  </div>
</template>
<script>
export default {
  computed: {
    view() { return (this.msg && this.msg.payload) || {} },
    updated() { return this.view.ts ? this.stamp(this.view.ts, true) : 'waiting for the engine' },
    sections() {
      return [
        { title: 'ISO/IEC 30146 live indicators', items: this.view.headline || [] },
        { title: 'Devices online by kind', items: this.view.availability || [] },
      ]
    },
  },
  methods: {
    ${STAMP}
    fmt(v) { return v === null || v === undefined ? '—' : Number(v).toFixed(1) },
    point(v, r) {
      const a = Math.PI * (1 - Math.max(0, Math.min(100, v)) / 100)
      return [60 + r * Math.cos(a), 60 - r * Math.sin(a)]
    },
    arc(v) { const [x, y] = this.point(v, 50); return 'M10 60 A50 50 0 0 1 ' + x.toFixed(2) + ' ' + y.toFixed(2) },
    tick(v, r) { return this.point(v, r) },
  },
}
</script>`;

export const DISTRICTS = `<template>
  <div>
    <table class="cg-table" data-testid="districts">
      <thead><tr><th>District</th><th v-for="c in view.columns || []" :key="c.id" :title="c.name">{{ c.id }}</th></tr></thead>
      <tbody>
        <tr v-for="r in view.rows || []" :key="r.district" :data-district="r.district">
          <td>{{ r.district }}</td>
          <td v-for="c in view.columns || []" :key="c.id" :class="r.cells[c.id] ? 'cg-cell-' + r.cells[c.id].state : ''">{{ fmt(r.cells[c.id] && r.cells[c.id].value) }}</td>
        </tr>
      </tbody>
    </table>
  </div>
</template>
<script>
export default {
  computed: { view() { return (this.msg && this.msg.payload) || {} } },
  methods: { fmt(v) { return v === null || v === undefined ? '—' : Number(v).toFixed(1) } },
}
</script>`;

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
          <td>{{ Number(a.value).toFixed(1) }} &lt; {{ a.below }}</td>
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
  data() { return { role: null } },
  mounted() {
    fetch('/api/me', { credentials: 'same-origin' })
      .then((r) => (r.ok ? r.json() : null))
      .then((me) => { this.role = me && me.role })
      .catch(() => {})
  },
  computed: {
    view() { return (this.msg && this.msg.payload) || {} },
    notice() { return this.view.notice },
    canAck() { return ['operator', 'engineer', 'admin'].includes(this.role) },
  },
  methods: {
    ${STAMP}
    state(a) {
      if (a.clearedAt) return 'cleared ' + this.stamp(a.clearedAt)
      if (a.acknowledgedAt) return 'acknowledged by ' + a.acknowledgedBy
      return 'open'
    },
    // The dashboard adds who clicked (msg._client.user): no name is typed, none is taken from the page.
    ack(a) { this.send({ topic: 'ack', payload: { alertId: a.alertId } }) },
  },
}
</script>`;

export const MAP = `<template>
  <div class="cg-map" data-testid="down-map">
    <div class="cg-muted">{{ summary }}</div>
    <svg v-if="placed.any" viewBox="0 0 400 300" preserveAspectRatio="xMidYMid meet">
      <circle v-for="d in placed.all" :key="'a' + d.id" class="cg-dot" :cx="d.x" :cy="d.y" r="1.6" />
      <circle v-for="d in placed.down" :key="'d' + d.id" class="cg-down" :cx="d.x" :cy="d.y" r="3" :data-device="d.id">
        <title>{{ d.id }} ({{ d.kind }}, {{ d.district || 'no district' }}): {{ d.reason }}</title>
      </circle>
    </svg>
    <table class="cg-table">
      <tr v-for="d in (view.down || []).slice(0, 12)" :key="d.id" :data-device="d.id"><td>{{ d.id }}</td><td>{{ d.kind }}</td><td>{{ d.district }}</td><td>{{ d.reason }}</td><td>{{ d.since ? stamp(d.since) : 'not heard since start' }}</td></tr>
    </table>
  </div>
</template>
<script>
export default {
  computed: {
    view() { return (this.msg && this.msg.payload) || {} },
    summary() {
      const v = this.view
      if (v.count === undefined) return 'waiting for the engine'
      return v.count + ' of ' + v.total + ' devices down' + (v.unplaced ? ', ' + v.unplaced + ' without coordinates' : '') +
        (v.sampled ? '; grey: ' + (v.all || []).length + ' of ' + v.sampled + ' devices drawn' : '')
    },
    placed() {
      const has = (d) => d.lat !== null && d.lon !== null && d.lat !== undefined && d.lon !== undefined
      const all = (this.view.all || []).filter(has)
      const down = (this.view.down || []).filter(has)
      const both = all.concat(down)
      if (!both.length) return { all: [], down: [], any: false }
      let [s, n, w, e] = [90, -90, 180, -180]
      for (const d of both) { s = Math.min(s, d.lat); n = Math.max(n, d.lat); w = Math.min(w, d.lon); e = Math.max(e, d.lon) }
      const k = Math.min(380 / Math.max(e - w, 1e-6), 280 / Math.max(n - s, 1e-6))
      const at = (d) => ({ ...d, x: 10 + (d.lon - w) * k, y: 290 - (d.lat - s) * k })
      return { all: all.map(at), down: down.map(at), any: true }
    },
  },
  methods: {
    ${STAMP}
  },
}
</script>`;

export const TRENDS = `<template>
  <div class="cg-trends" data-testid="trends">
    <div v-if="!(view.series || []).length" class="cg-muted">Loading the last 24 hours from the history API…</div>
    <div v-for="s in view.series || []" :key="s.id" class="cg-trend" :data-indicator="s.id">
      <div><b>{{ s.id }}</b> <span class="cg-muted">{{ s.name }}</span></div>
      <svg viewBox="0 0 300 110">
        <line v-for="y in [0, 50, 100]" :key="y" class="cg-grid" x1="30" x2="298" :y1="yOf(y)" :y2="yOf(y)" />
        <text v-for="y in [0, 50, 100]" :key="'t' + y" x="2" :y="yOf(y) + 4" font-size="9" fill="#5b6675">{{ y }}</text>
        <polyline class="cg-line" :points="line(s).join(' ')" />
        <circle v-if="line(s).length === 1" :cx="line(s)[0].split(',')[0]" :cy="line(s)[0].split(',')[1]" r="2.5" fill="#1f6feb" />
      </svg>
      <div class="cg-muted">{{ s.points.length }} {{ s.points.length === 1 ? 'point' : 'points' }} since {{ since(s) }}</div>
    </div>
  </div>
</template>
<script>
export default {
  computed: { view() { return (this.msg && this.msg.payload) || {} } },
  methods: {
    yOf(v) { return 100 - v * 0.9 },
    line(s) {
      const to = Date.parse(this.view.to), from = Date.parse(this.view.from)
      return s.points.filter((p) => p.value !== null)
        .map((p) => (30 + (268 * (Date.parse(p.ts) - from)) / (to - from)).toFixed(1) + ',' + this.yOf(p.value).toFixed(1))
    },
    ${STAMP}
    since() { return this.view.from ? this.stamp(this.view.from, true) : '' },
  },
}
</script>`;

export const REGISTER = `<template>
  <form class="cg-form" data-testid="register" @submit.prevent="submit">
    <label>Device id</label><input v-model="f.id" name="id" placeholder="e.g. cam-0421" required />
    <label>Kind</label>
    <select v-model="f.kind" name="kind"><option v-for="k in kinds" :key="k" :value="k">{{ k }}</option></select>
    <label>District</label><input v-model="f.district" name="district" placeholder="gateways and beacons" />
    <label>Asset id</label><input v-model="f.assetId" name="assetId" placeholder="area, pipe segment or site" />
    <label>Gateway id</label><input v-model="f.gatewayId" name="gatewayId" placeholder="cameras behind a gateway" />
    <label>HD camera</label><input v-model="f.hd" name="hd" type="checkbox" style="width: auto" />
    <label>Reporting interval (s)</label><input v-model="f.expectedIntervalS" name="expectedIntervalS" type="number" min="1" />
    <label>Latitude</label><input v-model="f.lat" name="lat" type="number" step="any" />
    <label>Longitude</label><input v-model="f.lon" name="lon" type="number" step="any" />
    <span></span><button class="cg-btn" type="submit" data-testid="register-submit">Register</button>
  </form>
  <div v-if="result" data-testid="register-result" style="margin-top: 8px">
    <div v-if="result.ok">
      <div class="cg-okmsg">Registered <b>{{ result.id }}</b>. Its secret is shown only this once: put it on the device now.</div>
      <div class="cg-secret" data-testid="secret">{{ result.secret }}</div>
    </div>
    <div v-else class="cg-error" data-testid="register-error">Refused ({{ result.status }}): {{ result.message }}</div>
  </div>
</template>
<script>
export default {
  data() {
    return {
      kinds: ['sensor', 'pipe-monitor', 'cctv', 'cctv-gateway', 'transit-beacon'],
      f: { id: '', kind: 'sensor', district: '', assetId: '', gatewayId: '', hd: false, expectedIntervalS: '', lat: '', lon: '' },
    }
  },
  computed: { result() { return this.msg && this.msg.topic === 'registered' ? this.msg.payload : null } },
  methods: {
    submit() {
      const body = { id: this.f.id.trim(), kind: this.f.kind }
      for (const k of ['district', 'assetId', 'gatewayId']) if (String(this.f[k]).trim()) body[k] = String(this.f[k]).trim()
      for (const k of ['expectedIntervalS', 'lat', 'lon']) if (String(this.f[k]).trim() !== '') body[k] = Number(this.f[k])
      if (this.f.hd) body.hd = true
      this.send({ topic: 'register', payload: body })
    },
  },
}
</script>`;

export const UPLOAD = `<template>
  <div data-testid="upload">
    <p class="cg-muted">areas.csv, pipe_segments.csv, routes.txt, sites.csv, devices.csv or city.json. Good rows are applied; each bad row is listed with its reason. Tick "all or nothing" to apply nothing when any row is bad.</p>
    <input type="file" multiple data-testid="upload-files" @change="pick" />
    <label style="margin-left: 10px"><input type="checkbox" v-model="strict" /> all or nothing</label>
    <div><button class="cg-btn" :disabled="!files.length" @click="upload" data-testid="upload-submit">Upload</button></div>
    <div v-if="result" data-testid="upload-result">
      <div v-if="!result.counts" class="cg-error">Refused ({{ result.status }}): {{ result.message }}</div>
      <div v-else>
        <div :class="result.applied ? 'cg-okmsg' : 'cg-error'">{{ result.applied ? 'Applied' : 'Nothing applied' }}: {{ JSON.stringify(result.counts) }}</div>
        <div v-if="result.errors.length" class="cg-error">{{ result.errors.length }} row(s) refused:</div>
        <ul><li v-for="e in result.errors" :key="e.text" class="cg-error" data-testid="row-error">{{ e.text }}</li></ul>
      </div>
    </div>
  </div>
</template>
<script>
export default {
  data() { return { files: [], strict: false } },
  computed: { result() { return this.msg && this.msg.topic === 'uploaded' ? this.msg.payload : null } },
  methods: {
    async pick(e) {
      this.files = await Promise.all([...e.target.files].map(async (f) => ({ name: f.name, text: await f.text() })))
    },
    upload() { this.send({ topic: 'upload', payload: { files: this.files, strict: this.strict } }) },
  },
}
</script>`;

export const LOOKUP = `<template>
  <div data-testid="lookup">
    <form @submit.prevent="look" style="display: flex; gap: 8px">
      <input v-model="deviceId" placeholder="device id" data-testid="lookup-id" style="border: 1px solid #c4ccd6; border-radius: 4px; padding: 4px 6px" />
      <button class="cg-btn" type="submit" data-testid="lookup-submit">Look up</button>
    </form>
    <div v-if="result" data-testid="lookup-result">
      <div v-if="result.message" class="cg-error">{{ result.message }}</div>
      <div v-else>
        <table v-if="result.status" class="cg-table">
          <tr><th>Device</th><td>{{ result.status.id }} ({{ result.status.kind }}, {{ result.status.district || 'no district' }})</td></tr>
          <tr><th>Liveness</th><td data-testid="liveness" :class="result.status.online ? 'cg-okmsg' : 'cg-error'">{{ result.status.online ? 'online' : 'offline' }}{{ result.status.why ? ': ' + result.status.why : '' }}</td></tr>
          <tr><th>Since</th><td data-testid="since">{{ result.status.since ? stamp(result.status.since, true) : 'not heard since the engine started' }}</td></tr>
          <tr><th>Last seen</th><td>{{ result.status.lastSeen ? stamp(result.status.lastSeen, true) : 'never' }}</td></tr>
          <tr><th>Counts as offline at</th><td>{{ result.status.staleAt ? stamp(result.status.staleAt, true) : '—' }}</td></tr>
        </table>
        <div v-else class="cg-error">Not registered: these messages were refused.</div>
        <h4 style="margin: 8px 0 4px">Last messages</h4>
        <div v-if="!result.messages.length" class="cg-muted">No messages since the engine started.</div>
        <table v-else class="cg-table">
          <tr><th>Received</th><th>Topic</th><th>Outcome</th><th>Payload</th></tr>
          <tr v-for="(m, n) in result.messages" :key="n" data-testid="message"><td>{{ stamp(m.receivedAt) }}</td><td>{{ m.topic }}</td><td>{{ m.outcome }}</td><td style="font-family: monospace; font-size: 0.8em">{{ m.payload }}</td></tr>
        </table>
      </div>
    </div>
  </div>
</template>
<script>
export default {
  data() { return { deviceId: '' } },
  computed: {
    result() { return this.msg && this.msg.topic === 'device' ? this.msg.payload : null },
    view() { return this.result || {} },
  },
  methods: {
    ${STAMP}
    look() { const id = this.deviceId.trim(); if (id) this.send({ topic: 'lookup', payload: { id } }) } },
}
</script>`;

// The audit trail (admins only: red/dashboard-pages.ts): the latest 100 entries, fetched every 10 s while the
// page is open and on demand, each time in the name of the admin looking at it and answered to them only.
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
export const THRESHOLDS = `<template>
  <div data-testid="thresholds">
    <div v-if="notice" :class="notice.ok ? 'cg-okmsg' : 'cg-error'" data-testid="thresholds-notice">{{ notice.text }}</div>
    <div v-if="!loaded" class="cg-muted">Loading the thresholds…</div>
    <div v-else-if="!rows.length" class="cg-muted">No thresholds: add one.</div>
    <table v-if="rows.length" class="cg-table cg-thresholds">
      <thead><tr><th>Indicator</th><th>Scope</th><th>Below</th><th>Clear at</th><th>For (s)</th><th>Severity</th><th></th></tr></thead>
      <tbody>
        <tr v-for="(t, i) in rows" :key="i" data-testid="threshold" :data-indicator="t.indicator" :data-scope="t.scope">
          <td><input v-model.trim="t.indicator" name="indicator" placeholder="e.g. L2.2.1" /></td>
          <td><input v-model.trim="t.scope" name="scope" placeholder="city or a district" /></td>
          <td><input v-model.number="t.below" name="below" type="number" step="any" /></td>
          <td><input v-model.number="t.clearAt" name="clearAt" type="number" step="any" /></td>
          <td><input v-model.number="t.forS" name="forS" type="number" min="0" step="1" /></td>
          <td><select v-model="t.severity" name="severity"><option v-for="s in severities" :key="s" :value="s">{{ s }}</option></select></td>
          <td><button class="cg-btn" type="button" @click="rows.splice(i, 1)" data-testid="threshold-remove">Remove</button></td>
        </tr>
      </tbody>
    </table>
    <button class="cg-btn" type="button" @click="add" data-testid="threshold-add" style="margin-right: 8px">Add a threshold</button>
    <button class="cg-btn" type="button" @click="save" data-testid="thresholds-save" :disabled="!loaded">Save all</button>
  </div>
</template>
<script>
export default {
  data() { return { rows: [], loaded: false, notice: null, severities: ['minor', 'major', 'critical'] } },
  watch: {
    msg: {
      immediate: true,
      handler(m) {
        if (!m || m.topic !== 'thresholds' || !m.payload) return
        this.notice = m.payload.notice || null
        if (Array.isArray(m.payload.thresholds)) {
          this.rows = m.payload.thresholds.map((t) => ({ ...t }))
          this.loaded = true
        }
      },
    },
  },
  mounted() { this.send({ topic: 'load' }) },
  methods: {
    add() { this.rows.push({ indicator: '', scope: 'city', below: 50, clearAt: 60, forS: 60, severity: 'major' }) },
    save() { this.notice = null; this.send({ topic: 'save', payload: this.rows.map((t) => ({ ...t })) }) },
  },
}
</script>
<style>
.cg-thresholds input, .cg-thresholds select { border: 1px solid #c4ccd6; border-radius: 4px; padding: 3px 6px; width: 100%; }
</style>`;

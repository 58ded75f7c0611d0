import { STAMP } from './time.mjs';

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
      <table v-if="result.connection" class="cg-connection" data-testid="connection">
        <tr><th>Broker</th><td data-testid="connection-url">{{ result.connection.url }}</td></tr>
        <tr><th>User name</th><td data-testid="connection-username">{{ result.connection.username }}</td></tr>
        <tr><th>Password</th><td>the secret above</td></tr>
        <tr><th>Client id</th><td data-testid="connection-client-id">{{ result.connection.clientId }}</td></tr>
        <tr><th>Publishes on</th><td data-testid="connection-topics">{{ result.connection.topicPrefix }}&lt;channel&gt;</td></tr>
      </table>
      <div class="cg-muted">Topics, Last Will and payloads: <a href="/asyncapi.json" target="_blank">/asyncapi.json</a> (AsyncAPI) and docs/devices.md.</div>
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
      // The flows reach the API on loopback: the page's own host is the name the engineer reached the city by.
      this.send({ topic: 'register', payload: body, pageHost: window.location.hostname })
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

import { STAMP } from './time.mjs';

// The video wall (/dashboard/wall): one scope at a time, the city then each district, each for `every`
// seconds (the view's rotateS, or ?every=N in the page's URL). Each browser turns on its own timer from the
// one complete view the flow sends, so a wall that reloads starts again at the city without asking anyone.
// Nothing on it takes input: no buttons, links or fields.
export const WALL = `<template>
  <div class="cg-wall" data-testid="wall" :data-scope="here ? here.scope : ''">
    <template v-if="here">
      <div class="cg-wall-top">
        <div class="cg-wall-scope" data-testid="wall-scope">{{ here.title }}<small>{{ here.scope === 'city' ? 'whole city' : 'district' }}</small></div>
        <div class="cg-wall-updated" data-testid="wall-updated">updated {{ updated }}</div>
      </div>
      <div class="cg-wall-steps" data-testid="wall-steps">
        <template v-if="scopes.length <= 12">
          <span v-for="s in scopes" :key="s.scope" :class="['cg-wall-step', s.scope === here.scope ? 'cg-wall-here' : '']">{{ s.title }}</span>
        </template>
        <span v-else class="cg-wall-step cg-wall-here">{{ scopes.indexOf(here) + 1 }} of {{ scopes.length }}: next {{ next.title }}</span>
      </div>
      <div class="cg-wall-bar" data-testid="wall-progress" :title="'next in ' + every + ' s'"><div :key="here.scope + ':' + shownAt" :style="{ animationDuration: every + 's' }"></div></div>
      <div class="cg-wall-tiles">
        <div v-for="i in here.headline" :key="i.id" :class="tileClass(i)" data-testid="wall-tile" :data-indicator="i.id" :data-state="i.state" :data-quality="i.quality || ''">
          <div class="cg-wall-value" data-testid="wall-value">{{ fmt(i.value) }}<span v-if="i.value !== null" class="cg-wall-unit" data-testid="wall-unit">{{ i.unit }}</span></div>
          <div class="cg-wall-name"><b>{{ i.id }}</b>{{ i.name }}</div>
          <div v-if="i.qualityReason" class="cg-wall-note" data-testid="wall-quality">degraded: {{ i.qualityReason }}</div>
          <div v-else-if="i.below !== null" class="cg-wall-note">{{ limits(i) }}</div>
        </div>
      </div>
      <div class="cg-wall-bottom">
        <div :class="['cg-wall-count', here.down.count === null ? '' : here.down.faults > 0 ? 'cg-wall-bad' : 'cg-wall-good']" data-testid="wall-down" :data-count="here.down.count">
          <div class="cg-wall-value">{{ here.down.count === null ? '—' : (here.down.atLeast ? '≥' : '') + here.down.count }}</div>
          <div class="cg-wall-name">devices down<span v-if="here.down.total"> of {{ here.down.total }}</span></div>
          <div v-if="here.down.maintenance" class="cg-wall-note">{{ here.down.maintenance }} in planned maintenance</div>
        </div>
        <div :class="['cg-wall-count', here.incidents > 0 ? 'cg-wall-bad' : 'cg-wall-good']" data-testid="wall-incidents" :data-count="here.incidents">
          <div class="cg-wall-value">{{ here.incidents }}</div>
          <div class="cg-wall-name">open incidents</div>
        </div>
        <div class="cg-wall-small">
          <div v-for="i in here.availability" :key="i.id" :class="tileClass(i)" data-testid="wall-tile" :data-indicator="i.id" :data-state="i.state" :data-quality="i.quality || ''">
            <div class="cg-wall-value" data-testid="wall-value">{{ fmt(i.value) }}<span v-if="i.value !== null" class="cg-wall-unit" data-testid="wall-unit">{{ i.unit }}</span></div>
            <div class="cg-wall-name" :title="i.name">{{ i.id.replace('availability.', '') }} online</div>
            <div v-if="i.qualityReason" class="cg-wall-note" data-testid="wall-quality">degraded: {{ i.qualityReason }}</div>
          </div>
        </div>
      </div>
    </template>
    <div v-else class="cg-wall-waiting">waiting for the engine</div>
  </div>
</template>
<script>
export default {
  data() { return { current: null, shownAt: Date.now(), timer: null } },
  computed: {
    view() { return (this.msg && this.msg.payload) || {} },
    scopes() { return this.view.scopes || [] },
    here() { return this.scopes.find((s) => s.scope === this.current) || this.scopes[0] || null },
    next() { return this.scopes[(this.scopes.indexOf(this.here) + 1) % this.scopes.length] },
    every() {
      const asked = Number(new URLSearchParams(window.location.search).get('every'))
      return asked >= 3 ? asked : this.view.rotateS || 20
    },
    updated() {
      const ts = (this.here && this.here.updated) || this.view.updated
      return ts ? this.stamp(ts, true) : 'not yet'
    },
  },
  mounted() { this.timer = setInterval(() => this.tick(), 500) },
  unmounted() { clearInterval(this.timer) },
  methods: {
    ${STAMP}
    tick() {
      if (Date.now() - this.shownAt < this.every * 1000 || this.scopes.length === 0) return
      this.current = this.next.scope
      this.shownAt = Date.now()
    },
    fmt(v) { return v === null || v === undefined ? '—' : Number(v).toFixed(1) },
    tileClass(i) { return ['cg-wall-tile', 'cg-wall-' + i.state, i.quality === 'degraded' ? 'cg-wall-degraded' : ''] },
    limits(i) {
      const n = (v) => String(Number(Number(v).toFixed(1)))
      return 'alarm below ' + n(i.below) + (i.clearAt > i.below ? ', warn below ' + n(i.clearAt) : '')
    },
  },
}
</script>`;

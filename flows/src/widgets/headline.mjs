import { STAMP } from './time.mjs';

export const HEADLINE = `<template>
  <div>
    <div class="cg-muted" data-testid="last-update">Last update: {{ updated }}</div>
    <div v-for="section in sections" :key="section.title">
      <h4 style="margin: 10px 0 6px">{{ section.title }}</h4>
      <div class="cg-cards">
        <div v-for="i in section.items" :key="i.id" :class="['cg-card', 'cg-' + i.state, i.quality === 'degraded' ? 'cg-degraded' : '']" :data-indicator="i.id" :data-quality="i.quality" :title="(i.qualityReason ? i.qualityReason + '. ' : '') + 'Click: the devices and assets behind this value'" role="button" tabindex="0" @click="explain(i)" @keydown.enter="explain(i)">
          <svg class="cg-gauge" viewBox="0 0 120 68">
            <path class="cg-track" d="M10 60 A50 50 0 0 1 110 60" />
            <path v-if="i.value !== null" class="cg-fill" :d="arc(i.value, i.max)" />
            <line v-if="i.below !== null" class="cg-tick" :x1="point(i.below, 40, i.max)[0]" :y1="point(i.below, 40, i.max)[1]" :x2="point(i.below, 58, i.max)[0]" :y2="point(i.below, 58, i.max)[1]" />
          </svg>
          <div class="cg-value"><span data-testid="value">{{ fmt(i.value) }}</span><span v-if="i.value !== null" class="cg-unit" data-testid="unit">{{ i.unit }}</span></div>
          <div class="cg-name"><b>{{ i.id }}</b> {{ i.name }}</div>
          <div class="cg-means" title="time-weighted means"><span>mean</span><span v-for="(v, w) in i.means" :key="w" data-testid="mean">{{ w }} <b>{{ fmt(v, i.unit) }}</b></span></div>
          <div v-if="i.below !== null" class="cg-muted">alert below {{ fmt(i.below, i.unit) }} ({{ i.severity }})</div>
          <div v-if="i.why" class="cg-muted" data-testid="why">{{ i.why }}</div>
          <div v-if="i.qualityReason" class="cg-muted" data-testid="quality">{{ i.quality }}: {{ i.qualityReason }}</div>
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
    // With a unit, '93.0 %'; without, the number alone (the card's large value sets its unit apart).
    fmt(v, unit) { return v === null || v === undefined ? '—' : Number(v).toFixed(1) + (unit ? ' ' + unit : '') },
    // The flow answers with the gap behind the value, to this browser only (the explanation panel).
    explain(i) { this.send({ topic: 'explain', payload: { id: i.id, scope: 'city' } }) },
    // The arc runs 0 to max, the card's scale (100 for a share).
    point(v, r, max) {
      const top = max || 100
      const a = Math.PI * (1 - Math.max(0, Math.min(top, v)) / top)
      return [60 + r * Math.cos(a), 60 - r * Math.sin(a)]
    },
    arc(v, max) { const [x, y] = this.point(v, 50, max); return 'M10 60 A50 50 0 0 1 ' + x.toFixed(2) + ' ' + y.toFixed(2) },
  },
}
</script>`;

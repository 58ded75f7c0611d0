import { STAMP } from './time.mjs';

// The 24-hour charts (issue 15): the flow sends each series in its unit and on a 0–1 time scale, the hour
// ticks already placed in the city's zone, the city threshold and the incidents of the window that touch it. The chart
// area is x 34–296, y 8–92 of a 300×112 box.
export const TRENDS = `<template>
  <div class="cg-trends" data-testid="trends">
    <div v-if="!(view.series || []).length" class="cg-muted">Loading the last 24 hours from the history API…</div>
    <div v-for="s in view.series || []" :key="s.id" class="cg-trend" :data-indicator="s.id">
      <div><b>{{ s.id }}</b> <span class="cg-muted">{{ s.name }}</span></div>
      <svg viewBox="0 0 300 112" role="img" :aria-label="s.id + ' over the last 24 hours, in ' + s.unit">
        <rect v-for="i in s.incidents || []" :key="i.id" class="cg-incident-band" data-testid="incident-mark" :data-incident="i.id"
          :x="xOf(i.x1)" y="8" :width="Math.max(2, xOf(i.x2) - xOf(i.x1))" height="84"><title>{{ incidentTitle(i) }}</title></rect>
        <g data-testid="value-axis">
          <line v-for="v in yTicks(s)" :key="v" class="cg-grid" x1="34" x2="296" :y1="yOf(s, v)" :y2="yOf(s, v)" />
          <text v-for="v in yTicks(s)" :key="'t' + v" x="31" :y="yOf(s, v) + 3" text-anchor="end" class="cg-axis-label">{{ v }}</text>
          <text x="2" y="6" class="cg-axis-label" data-testid="value-unit">{{ s.unit }}</text>
        </g>
        <g data-testid="time-axis">
          <line x1="34" x2="296" y1="92" y2="92" class="cg-axis" />
          <template v-for="t in view.ticks || []" :key="'h' + t.x">
            <line :x1="xOf(t.x)" :x2="xOf(t.x)" y1="92" y2="95" class="cg-axis" data-testid="hour-mark" :data-hour="t.label" />
            <text v-if="labelled(t.x)" :x="xOf(t.x)" y="104" text-anchor="middle" class="cg-axis-label" data-testid="hour-tick">{{ t.label }}</text>
          </template>
        </g>
        <line v-if="s.below !== null" class="cg-threshold" data-testid="threshold-line" x1="34" x2="296" :y1="yOf(s, s.below)" :y2="yOf(s, s.below)"><title>alert below {{ s.below }} {{ s.unit }} ({{ s.severity }})</title></line>
        <polyline class="cg-line" :points="line(s).join(' ')" />
        <circle v-if="line(s).length === 1" :cx="line(s)[0].split(',')[0]" :cy="line(s)[0].split(',')[1]" r="2.5" fill="#1f6feb" />
      </svg>
      <div class="cg-muted">{{ s.count }} {{ s.count === 1 ? 'point' : 'points' }} since {{ since() }} · hours in <span data-testid="time-zone">{{ view.zoneName }}</span><span v-if="s.below !== null"> · dashed: alert below {{ s.below }} {{ s.unit }}</span><span v-if="(s.incidents || []).length"> · shaded: incidents of its devices</span></div>
    </div>
  </div>
</template>
<script>
export default {
  computed: { view() { return (this.msg && this.msg.payload) || {} } },
  methods: {
    xOf(f) { return (34 + 262 * f).toFixed(1) },
    yOf(s, v) { return (92 - (84 * Math.max(0, Math.min(s.max, v))) / s.max).toFixed(1) },
    // A label at either end of the axis stays inside the chart.
    // A label centred on a tick at the very edge would run off the chart or into its neighbour's.
    labelled(f) { return f >= 0.04 && f <= 0.96 },
    yTicks(s) { return [0, +(s.max / 2).toPrecision(12), s.max] },
    line(s) { return s.points.map((p) => this.xOf(p.x) + ',' + this.yOf(s, p.value)) },
    incidentTitle(i) {
      const until = i.resolvedAt ? 'resolved ' + this.stamp(i.resolvedAt) : i.status
      return 'Incident ' + i.id + ': ' + i.what + ', raised ' + this.stamp(i.raisedAt) + ', ' + until
    },
    ${STAMP}
    since() { return this.view.from ? this.stamp(this.view.from, true) : '' },
  },
}
</script>`;

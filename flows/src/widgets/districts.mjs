export const DISTRICTS = `<template>
  <div>
    <table class="cg-table" data-testid="districts">
      <thead><tr><th>District</th><th v-for="c in view.columns || []" :key="c.id" :title="c.name">{{ c.id }} <span class="cg-muted">{{ c.unit }}</span></th></tr></thead>
      <tbody>
        <tr v-for="r in view.rows || []" :key="r.district" :data-district="r.district">
          <td>{{ r.district }}</td>
          <td v-for="c in view.columns || []" :key="c.id" :data-indicator="c.id" :data-state="r.cells[c.id] && r.cells[c.id].state" :data-against="r.cells[c.id] && r.cells[c.id].against"
            :class="r.cells[c.id] ? ['cg-cell', 'cg-cell-' + r.cells[c.id].state, r.cells[c.id].quality === 'degraded' ? 'cg-degraded' : ''] : ''"
            :title="tip(c, r)" @click="r.cells[c.id] && explain(c, r)">{{ fmt(r.cells[c.id] && r.cells[c.id].value, r.cells[c.id] && r.cells[c.id].unit) }}<sup v-if="r.cells[c.id] && r.cells[c.id].against === 'city' && r.cells[c.id].value !== null" class="cg-muted">*</sup></td>
        </tr>
      </tbody>
    </table>
    <div class="cg-legend cg-muted" data-testid="districts-legend">
      <span class="cg-swatch cg-cell-alarm"></span>alarm: below the threshold
      <span class="cg-swatch cg-cell-warn"></span>warn: not yet back above it
      <span class="cg-swatch cg-cell-ok"></span>ok
      <span>· * against the city's threshold (the district has none of its own)</span>
      <span>· click a cell: the devices behind it</span>
    </div>
  </div>
</template>
<script>
export default {
  computed: { view() { return (this.msg && this.msg.payload) || {} } },
  methods: {
    fmt(v, unit) { return v === null || v === undefined ? '—' : Number(v).toFixed(1) + (unit ? ' ' + unit : '') },
    // Which threshold coloured the cell: the district's own, or the city's when it has none.
    tip(c, r) {
      const cell = r.cells[c.id]
      if (!cell) return c.name
      const against = cell.against === 'city' ? " against the city's threshold" : cell.against === 'district' ? " against the district's threshold" : ''
      const rule = cell.below === null ? 'no threshold' : cell.state + ': alert below ' + cell.below + ' ' + cell.unit + ' (' + cell.severity + ')' + against
      return c.id + ' ' + c.name + ' in ' + r.district + ': ' + rule + (cell.qualityReason ? '. ' + cell.qualityReason : '')
    },
    explain(c, r) { this.send({ topic: 'explain', payload: { id: c.id, scope: r.district } }) },
  },
}
</script>`;

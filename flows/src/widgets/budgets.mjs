export const BUDGETS = `<template>
  <div data-testid="budgets">
    <div v-if="!(view.objectives || []).length" class="cg-muted">No objectives: declare them in city.json "objectives" or PUT /api/objectives.</div>
    <table v-else class="cg-table">
      <thead><tr><th>Indicator</th><th>Scope</th><th>Target</th><th>Budget left</th><th></th><th>Burn 5 min / 1 h / 6 h</th><th>Alert</th></tr></thead>
      <tbody>
        <tr v-for="o in view.objectives" :key="o.indicator + '@' + o.scope + '@' + o.window" :data-objective="o.indicator + '@' + o.scope">
          <td>{{ o.indicator }}</td><td>{{ o.scope }}</td><td>{{ o.target }} % / {{ o.window }}</td>
          <td class="cg-budget"><div class="cg-budget-bar"><div :style="{ width: bar(o) + '%', background: colour(o) }"></div></div></td>
          <td data-testid="budget-left" :title="'history behind ' + pct(o.coverage) + ' of the window'">{{ o.budgetLeftText }}</td>
          <td>{{ rate(o.burnRates['5m']) }} / {{ rate(o.burnRates['1h']) }} / {{ rate(o.burnRates['6h']) }}</td>
          <td :class="o.alertState === 'page' ? 'cg-sev-critical' : o.alertState === 'ticket' ? 'cg-sev-major' : ''" data-testid="budget-alert">{{ o.alertState }}</td>
        </tr>
      </tbody>
    </table>
  </div>
</template>
<script>
export default {
  computed: { view() { return (this.msg && this.msg.payload) || {} } },
  methods: {
    bar(o) { return o.budgetLeft === null ? 0 : Math.max(0, Math.min(100, o.budgetLeft * 100)) },
    colour(o) { return o.budgetLeft === null ? '#b0bec5' : o.budgetLeft > 0.5 ? '#2e7d32' : o.budgetLeft > 0.2 ? '#f9a825' : '#c62828' },
    rate(v) { return v === null || v === undefined ? '—' : Number(v).toFixed(1) + '×' },
    pct(v) { return v === null || v === undefined ? '—' : (v * 100).toFixed(1) + ' %' },
  },
}
</script>
<style>
.cg-budget-bar { width: 120px; height: 10px; background: #eceff1; border-radius: 3px; overflow: hidden; }
.cg-budget-bar div { height: 100%; }
</style>`;

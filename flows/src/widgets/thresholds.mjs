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

// Operators' maintenance page (issue 14 item 2): plan a window, list them, cancel or end one early.

// Who is looking, for the widgets that offer acknowledging: operators and above (the API refuses anyone
// else), so a viewer is not offered it. Spliced into a widget's `export default {…}` (data: { role: null }).
export const MOUNTED_ROLE = `mounted() {
    fetch('/api/me', { credentials: 'same-origin' })
      .then((r) => (r.ok ? r.json() : null))
      .then((me) => { this.role = me && me.role })
      .catch(() => {})
  },`;

export const CAN_ACK = `canAck() { return ['operator', 'engineer', 'admin'].includes(this.role) },`;

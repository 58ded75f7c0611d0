// Who is looking, for the widgets that offer acknowledging: operators and above (the API refuses anyone
// else), so a viewer is not offered it. Spliced into a widget's `export default {…}` (data: { role: null }).
export const MOUNTED_ROLE = `mounted() {
    fetch('/api/me', { credentials: 'same-origin' })
      .then((r) => (r.ok ? r.json() : null))
      .then((me) => { this.role = me && me.role })
      .catch(() => {})
  },`;

export const CAN_ACK = `canAck() { return ['operator', 'engineer', 'admin'].includes(this.role) },`;

/**
 * The list and the acknowledgement notice, kept apart: the list goes to every browser, the notice only to the
 * person who clicked (the flow sends it with their _client) and fades after 15 s. `after` runs on each list.
 * Spliced into `watch: {…}` (data: { list: null, notice: null, noticeTimer: null }).
 */
export const listAndNotice = (after = '') => `msg: {
      immediate: true,
      handler(m) {
        if (m && m.topic === 'notice') {
          this.notice = m.payload
          clearTimeout(this.noticeTimer)
          this.noticeTimer = setTimeout(() => { this.notice = null }, 15000)
        } else if (m) {
          this.list = m.payload
          ${after}
        }
      },
    },`;

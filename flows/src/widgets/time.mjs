// Times on the pages are the city's (GET /api/city timeZone, sent in each view), never the browser's:
// an operations centre and a city can sit in different zones. `2026-01-05 06:00:00 PST`, date optional.
export const stampIn = (zone) => `stamp(iso, withDate) {
      if (!iso) return ''
      const parts = {}
      const f = new Intl.DateTimeFormat('en-US', { timeZone: ${zone} || 'UTC', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short' })
      for (const p of f.formatToParts(new Date(iso))) parts[p.type] = p.value
      return (withDate ? parts.year + '-' + parts.month + '-' + parts.day + ' ' : '') + parts.hour + ':' + parts.minute + ':' + parts.second + ' ' + parts.timeZoneName
    },`;
export const STAMP = stampIn('this.view.timeZone');

// A wall-clock time typed in a datetime-local field ("2026-03-01T09:00") read as the city's, not the
// browser's: the zone's offset at that instant, found twice so a time next to a DST change lands right.
export const CITY_INSTANT = `cityInstant(local) {
      const wall = Date.parse(local + 'Z')
      const f = new Intl.DateTimeFormat('en-US', { timeZone: this.timeZone || 'UTC', hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
      const offset = (t) => {
        const p = {}
        for (const x of f.formatToParts(new Date(t))) p[x.type] = Number(x.value)
        return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - t
      }
      const guess = wall - offset(wall)
      return new Date(wall - offset(guess)).toISOString()
    },`;

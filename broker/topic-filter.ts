// MQTT topic filter arithmetic for access rules: does a filter match a topic, and does one filter only
// ever match topics another one matches. Wildcards as in MQTT 3.1.1 §4.7: `+` one level, `#` the rest
// (including the parent level itself: `city/#` matches `city`).

/** True when `topic` (no wildcards) matches `filter`. */
export function topicMatches(filter: string, topic: string): boolean {
  return filterWithin(topic, filter);
}

/**
 * True when every topic matched by `inner` is also matched by `outer`: a client allowed `outer` may
 * subscribe to `inner`. A plain topic is a filter without wildcards, so this also decides topicMatches.
 */
export function filterWithin(inner: string, outer: string): boolean {
  // §4.7.2: a filter starting with a wildcard does not match topics starting with `$` ($SYS/...).
  if (inner.charCodeAt(0) === 36 && (outer[0] === '#' || outer[0] === '+')) return false;
  const i = inner.split('/');
  const o = outer.split('/');
  for (let n = 0; n < o.length; n++) {
    const level = o[n];
    if (level === '#') return true;
    if (n >= i.length) return false;
    const mine = i[n];
    if (mine === '#') return false; // inner reaches deeper than outer allows at this level
    if (level === '+') continue; // a literal or `+` fits inside `+`
    if (mine !== level) return false; // `+` inside a literal level matches more than the literal
  }
  return i.length === o.length;
}

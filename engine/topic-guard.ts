// The last check before the engine publishes on a topic it built from registry text (a district, an
// indicator id): MQTT allows 65,535 bytes of UTF-8 and no wildcards in a PUBLISH topic, and a subscriber
// that is sent a topic it cannot take drops the connection, so one bad topic would take every dashboard
// down. The registry's limits (registry/text-limits.ts) keep topics far shorter; this catches what
// slipped past them, e.g. rows stored by an older version.

/** Far below MQTT's 65,535: the longest topic the engine builds from limited text is under 200 bytes. */
export const MAX_TOPIC_BYTES = 1024;

/** Why `topic` must not be published; undefined when it is fine. */
export function topicProblem(topic: string): string | undefined {
  const bytes = Buffer.byteLength(topic, 'utf8');
  if (bytes > MAX_TOPIC_BYTES) return `topic is ${bytes.toLocaleString('en')} bytes, over ${MAX_TOPIC_BYTES}`;
  if (/[+#\0]/.test(topic)) return 'topic contains a wildcard (+, #) or NUL';
  if (topic.includes('//') || topic.endsWith('/')) return 'topic has an empty level';
  return undefined;
}

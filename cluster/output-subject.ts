// An MQTT topic of the city's output as a NATS subject of stream CITYGAUGE_OUT, and back. MQTT levels become
// subject tokens; a character a token may not hold (`.`, `*`, `>`, spaces, anything outside [A-Za-z0-9_-]) is
// written `~hh` per UTF-8 byte, and an empty level `~`, so every topic has its own subject: the stream keeps
// the last message per subject, which is each retained topic's current value.

const PLAIN = /^[A-Za-z0-9_-]+$/;
const RETAINED = 'citygauge.out.';
const EVENT = 'citygauge.event.';

function encodeLevel(level: string): string {
  if (level === '') return '~';
  if (PLAIN.test(level)) return level;
  let out = '';
  for (const byte of Buffer.from(level, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += PLAIN.test(c) ? c : `~${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

function decodeLevel(token: string): string {
  if (token === '~') return '';
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i++) {
    if (token[i] === '~') {
      bytes.push(Number.parseInt(token.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(token.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** `citygauge.out.<levels>` for a retained topic (stream CITYGAUGE_OUT), `citygauge.event.<levels>` for an event. */
export function outputSubject(topic: string, retain: boolean): string {
  return `${retain ? RETAINED : EVENT}${topic.split('/').map(encodeLevel).join('.')}`;
}

/** Subscriptions (NATS wildcards) for each kind. */
export const RETAINED_SUBJECTS = `${RETAINED}>`;
export const EVENT_SUBJECTS = `${EVENT}>`;

/** The topic and kind of an output subject; undefined for any other subject. */
export function outputTopic(subject: string): { topic: string; retain: boolean } | undefined {
  const retain = subject.startsWith(RETAINED);
  if (!retain && !subject.startsWith(EVENT)) return undefined;
  const rest = subject.slice((retain ? RETAINED : EVENT).length);
  if (rest === '') return undefined;
  return { topic: rest.split('.').map(decodeLevel).join('/'), retain };
}

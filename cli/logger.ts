// Structured logs (pino) on stderr for the long-running commands; stdout stays for results.
import pino, { type Logger } from 'pino';

export function createLogger(name: string): Logger {
  return pino({ name, level: process.env.CITYGAUGE_LOG_LEVEL ?? 'info' }, pino.destination(2));
}

// The logging edge code needs: pino's logger fits, and so does anything with these four methods.

export interface EdgeLogger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

export const silentLogger: EdgeLogger = { debug() {}, info() {}, warn() {}, error() {} };

// Numeric flags, checked once where commander reads them (argParser): a value that is not a number in
// range stops the command with exit code 2 and a message naming the flag and what it accepts.
import { InvalidArgumentError } from 'commander';
import { brokerList } from '../edge/brokers.js';

type Parse = (value: string) => number;

const WHOLE = /^\d+$/;
const SIGNED_WHOLE = /^-?\d+$/;
const DECIMAL = /^\d+(\.\d+)?$/;

/** A TCP port. `allowZero` where the command reports the port the system picked. */
export function portFlag(opts: { allowZero?: boolean } = {}): Parse {
  const min = opts.allowZero ? 0 : 1;
  const range = `a whole number from ${min} to 65535${opts.allowZero ? ' (0 picks a free one)' : ''}`;
  return (value) => {
    const n = Number(value);
    if (!WHOLE.test(value) || n < min || n > 65535) throw new InvalidArgumentError(`A port is ${range}.`);
    return n;
  };
}

/** A whole number within [min, max]; seeds may be negative. */
export function wholeFlag(min: number, max = Number.MAX_SAFE_INTEGER): Parse {
  return (value) => {
    const n = Number(value);
    if (!(min < 0 ? SIGNED_WHOLE : WHOLE).test(value) || !Number.isSafeInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(
        max === Number.MAX_SAFE_INTEGER
          ? `Expected a whole number of ${min} or more.`
          : `Expected a whole number from ${min} to ${max}.`,
      );
    return n;
  };
}

/** A number above zero, decimals allowed (`--hours 0.25`, `--speed 60`), at most `max`. */
export function positiveFlag(max = Number.MAX_SAFE_INTEGER): Parse {
  return (value) => {
    const n = Number(value);
    if (!DECIMAL.test(value) || !(n > 0) || n > max)
      throw new InvalidArgumentError(`Expected a number above 0 and at most ${max}, like 1 or 0.5.`);
    return n;
  };
}

/**
 * A repeatable list of MQTT broker URLs (`--broker a --broker b`, or `--broker a,b`), collected in order.
 * A value that is not a broker URL stops the command with exit code 2.
 */
export function brokersFlag(value: string, previous: string[] = []): string[] {
  try {
    return brokerList([...previous, value]);
  } catch (err) {
    const message = (err as Error).message;
    throw new InvalidArgumentError(`${message[0].toUpperCase()}${message.slice(1)}.`);
  }
}

/** Seeds feed a 32-bit generator (edge/prng.ts). */
export const SEED_MAX = 2 ** 32 - 1;
/** The longest a Node.js timer waits (2^31 − 1 ms), in whole seconds. */
export const MAX_TIMER_S = Math.floor((2 ** 31 - 1) / 1000);
/** 1 TiB: beyond it a spool is a typo. */
export const MAX_SPOOL_MB = 2 ** 20;

/** A wildcard address is not one to connect to; this process reaches itself on loopback then. */
export function connectableHost(host: string): string {
  return host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
}

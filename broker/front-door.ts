// A front door of the cluster (issue 11): each admitted device PUBLISH is handed to an async `append` (the
// cluster's log) and its QoS 1 PUBACK reaches the device only once that append resolved, so an acknowledged
// reading is in the log. A failed append sends no PUBACK: the device is disconnected and resends it on its
// next connection, here or at another front door (at-least-once; the engine drops repeated seqs, docs/contract.md §3).
//
// The hook is aedes' `authorizePublish`, the only step of aedes 1.2.0 that runs before the PUBACK and may
// finish later: lib/handlers/publish.js runs [authorizePublish, enqueuePublish] in series, and enqueuePublish
// writes the PUBACK and then routes the message (`published`, subscribers, the in-process tap all come after
// the PUBACK). It also sees every Last Will (lib/client.js close()), which the log needs too. The front door
// runs after whatever authorizePublish was installed before it (the guard's ACL, limits and pacing), so only
// admitted messages are appended, and one that is refused is never in the log.
//
// Why a failed append disconnects: MQTT resends an unacknowledged PUBLISH only on reconnect [MQTT-4.4.0-1],
// and an error from authorizePublish is how aedes closes a connection. Withholding the PUBACK on a live
// connection would stall it instead (aedes reads nothing more of a client until its batch is done).
//
// Back-pressure: aedes reads a client's next packets only once all of its current batch are done, so a slow
// log slows each device down to it instead of piling appends up in memory. QoS 0 waits for its append too,
// for the same reason, but is routed and counted as lost to the log when the append fails; so is a Will.
import type { Aedes, Client } from 'aedes';
import type { Logger } from 'pino';

/** An admitted message as the log gets it: stamped with the front door's receive time. */
export interface AdmittedMessage {
  topic: string;
  payload: Buffer;
  /** Epoch ms at this front door when the message was admitted (after the guard, before the append). */
  receivedAt: number;
  clientId: string;
  qos: 0 | 1 | 2;
  retain: boolean;
  /** A Last Will published for a connection that died. */
  will: boolean;
}

export type Append = (message: AdmittedMessage) => Promise<void>;

export interface FrontDoorOptions {
  append: Append;
  logger: Logger;
  /**
   * Which admitted messages go to the log; the others are routed as usual, unlogged. Default: all. E.g. leave
   * out the Wills while this front door shuts down on purpose: its devices are not offline, they move.
   */
  accepts?: (message: AdmittedMessage) => boolean;
  /**
   * An append not settled after this long counts as failed (default 10 s): a log that never answers must not
   * hold a device's connection, nor the message in memory, for ever. Should it land later, the device's
   * resend is a repeat the engine drops (docs/contract.md §3).
   */
  timeoutMs?: number;
  now?: () => number;
}

export interface FrontDoorStats {
  /** Messages the log took. */
  readonly appended: number;
  /** QoS 1/2 appends that failed: no PUBACK, the device was disconnected and resends it. */
  readonly failed: number;
  /** QoS 0 messages and Last Wills whose append failed: nobody resends them, so the log lacks them. */
  readonly lost: number;
  /** Appends not yet settled. */
  readonly pending: number;
  /** performance.now() of the last append the log took; undefined before the first. */
  readonly lastAppendedAt: number | undefined;
  /** The last append that failed (performance.now() and why); undefined before the first. */
  readonly lastFailure: { at: number; error: string } | undefined;
}

export interface FrontDoor {
  readonly stats: FrontDoorStats;
  /** Put back the authorizePublish that was there before (messages then go unlogged). */
  uninstall(): void;
}

export class FrontDoorError extends Error {
  readonly code = 'ERR_FRONT_DOOR_APPEND';
}

const LOG_EVERY_MS = 1000;

/** Install the front door on `aedes`, after the authorizePublish already there. */
export function installFrontDoor(aedes: Aedes, options: FrontDoorOptions): FrontDoor {
  const { append, accepts = () => true, now = Date.now, timeoutMs = 10_000 } = options;
  const log = options.logger.child({ component: 'front-door' });
  const counts = { appended: 0, failed: 0, lost: 0, pending: 0 };
  let lastAppendedAt: number | undefined;
  let lastFailure: { at: number; error: string } | undefined;
  const failures = new FailureLog(log);
  const before = aedes.authorizePublish;
  let installed = true;
  // Unsettled appends, oldest first (a Set keeps insertion order): the sweep stops at the first young one.
  const inFlight = new Set<InFlight>();
  const sweep = setInterval(
    () => {
      const t = performance.now();
      for (const entry of inFlight) {
        if (t - entry.startedAt < timeoutMs) break;
        entry.settle(false, new FrontDoorError(`the log did not answer within ${timeoutMs} ms`));
      }
    },
    Math.min(1000, Math.max(10, timeoutMs / 4)),
  );
  sweep.unref();

  const authorizePublish: Aedes['authorizePublish'] = (client, packet, callback) => {
    if (!installed) return before.call(aedes, client, packet, callback);
    before.call(aedes, client, packet, (err?: Error | null) => {
      if (err || !client) return callback(err ?? null); // refused by the guard, or no client to name
      const message: AdmittedMessage = {
        topic: packet.topic,
        payload: typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload,
        receivedAt: now(),
        clientId: client.id,
        qos: packet.qos,
        retain: packet.retain,
        will: isClosed(client),
      };
      if (!accepts(message)) return callback(null);
      const entry: InFlight = {
        startedAt: performance.now(),
        settle(ok, e) {
          if (!inFlight.delete(entry)) return; // settled already (timed out, then answered)
          counts.pending--;
          if (ok) {
            counts.appended++;
            lastAppendedAt = performance.now();
            return callback(null);
          }
          lastFailure = { at: performance.now(), error: errorText(e) };
          const resent = message.qos > 0 && !message.will;
          if (resent) counts.failed++;
          else counts.lost++;
          failures.record(e, message, resent);
          if (!resent) return callback(null); // QoS 0 and Wills are routed anyway: nobody would resend them
          callback(new FrontDoorError(`the log did not take ${message.topic}: ${errorText(e)}`));
        },
      };
      inFlight.add(entry);
      counts.pending++;
      let appended: Promise<void>;
      try {
        appended = append(message);
      } catch (e) {
        appended = Promise.reject(e); // a synchronous throw is a failed append like any other
      }
      appended.then(
        () => entry.settle(true),
        (e: unknown) => entry.settle(false, e),
      );
    });
  };
  aedes.authorizePublish = authorizePublish;

  return {
    stats: {
      get appended() {
        return counts.appended;
      },
      get failed() {
        return counts.failed;
      },
      get lost() {
        return counts.lost;
      },
      get pending() {
        return counts.pending;
      },
      get lastAppendedAt() {
        return lastAppendedAt;
      },
      get lastFailure() {
        return lastFailure;
      },
    },
    uninstall() {
      clearInterval(sweep);
      installed = false; // when another hook was installed on top of this one, it passes through
      if (aedes.authorizePublish === authorizePublish) aedes.authorizePublish = before;
      failures.close();
    },
  };
}

interface InFlight {
  /** performance.now() when the append began. */
  startedAt: number;
  settle(ok: boolean, err?: unknown): void;
}

/** Failed appends logged at most once a second (a log that is down fails every message), counted exactly. */
class FailureLog {
  private quietUntil = 0;
  private suppressed = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly log: Logger) {
    this.timer = setInterval(() => this.flush(), LOG_EVERY_MS);
    this.timer.unref();
  }

  record(err: unknown, m: AdmittedMessage, resent: boolean): void {
    const t = Date.now();
    if (t < this.quietUntil) {
      this.suppressed++;
      return;
    }
    this.quietUntil = t + LOG_EVERY_MS;
    this.log.error(
      { event: 'append-failed', err: errorText(err), clientId: m.clientId, topic: m.topic, qos: m.qos },
      resent
        ? 'the log did not take a message: no PUBACK, the device was disconnected and will resend it; check that the log is up and reachable from this front door'
        : 'the log did not take a message nobody resends (QoS 0 or a Last Will): lost to the log; check that the log is up and reachable from this front door',
    );
  }

  flush(): void {
    if (this.suppressed === 0) return;
    this.log.error(
      { event: 'append-failed', repeated: this.suppressed },
      `the log did not take ${this.suppressed} more messages in the last second`,
    );
    this.suppressed = 0;
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
  }
}

function isClosed(client: Client): boolean {
  return (client as unknown as { closed?: boolean }).closed === true;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** How long a failed append, with none taken since, keeps a front door's `log` health part failing. */
export const LOG_FAILURE_SHOWS_MS = 30_000;

/**
 * The `log` part of a front door's /healthz: failing while its latest append failed, for at most
 * LOG_FAILURE_SHOWS_MS (a door taken out of a load balancer may get no message to prove the log is back).
 * It catches what the NATS connection's state does not: JetStream without a quorum, a stream gone.
 */
export function logHealth(stats: FrontDoorStats, now = performance.now()): { ok: boolean; detail?: string } {
  const failure = stats.lastFailure;
  if (!failure || failure.at < (stats.lastAppendedAt ?? 0) || now - failure.at > LOG_FAILURE_SHOWS_MS)
    return { ok: true };
  return {
    ok: false,
    detail: `the log did not take the last device message (${failure.error}): check that JetStream is up with most of its nodes`,
  };
}

// Every node hears a registry change within a second: PostgreSQL's LISTEN on one connection of its own,
// reconnected when it drops, with a full re-read after a reconnect since notifications sent while it was
// away are lost.
import pg from 'pg';
import type { Logger } from 'pino';
import { redactUrl } from './postgres.js';

/** The channel every write to the registry or the credentials notifies, in the writing transaction. */
export const REGISTRY_CHANNEL = 'citygauge_registry';

export interface ChangeFeedOptions {
  url: string;
  /** The channel listened to; the registry's by default (the scorecard has one of its own). */
  channel?: string;
  onNotice: (payload: string) => void;
  /** The connection came back: anything may have changed meanwhile. */
  onReconnect: () => void;
  log?: Logger;
  /** The longest wait between two reconnect attempts. */
  maxBackoffMs?: number;
}

export class ChangeFeed {
  private client: pg.Client | undefined;
  private closed = false;
  private backoffMs = 100;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: ChangeFeedOptions) {}

  /** Listening once this resolves; rejects when the first connection fails. */
  async start(): Promise<void> {
    await this.connect();
  }

  /** The server process of the listening connection (tests terminate it to see the feed recover). */
  async backendPid(): Promise<number | undefined> {
    const r = await this.client?.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    return r?.rows[0]?.pid;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.opts.url, connectionTimeoutMillis: 5_000 });
    const channel = this.opts.channel ?? REGISTRY_CHANNEL;
    client.on('notification', (n) => {
      if (n.channel === channel) this.opts.onNotice(n.payload ?? '');
    });
    let lost = false;
    const onLost = (err?: Error) => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = undefined;
      client.end().catch(() => {});
      if (this.closed) return;
      this.opts.log?.warn(
        { db: redactUrl(this.opts.url), channel, err: err?.message },
        'registry change feed lost its connection: reconnecting',
      );
      this.retry();
    };
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
    } catch (err) {
      lost = true;
      await client.end().catch(() => {});
      throw err;
    }
    client.on('error', onLost);
    client.on('end', () => onLost());
    this.client = client;
    this.backoffMs = 100;
  }

  private retry(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.connect().then(
        () => {
          this.opts.log?.info({ db: redactUrl(this.opts.url) }, 'registry change feed listening again');
          this.opts.onReconnect();
        },
        () => {
          this.backoffMs = Math.min(this.backoffMs * 2, this.opts.maxBackoffMs ?? 5_000);
          this.retry();
        },
      );
    }, this.backoffMs);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.client?.end().catch(() => {});
  }
}

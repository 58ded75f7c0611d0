// Where `citygauge start` and `citygauge engine` keep history (issue 4): InfluxDB when --influx-url is
// given (the v2 write API for InfluxDB 2.x, 3.x, Cloud and 1.8+; --influx-api v1 for 1.x before 1.8),
// else the embedded SQLite store.
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { InfluxQLReader } from '../engine/sinks/influx-reader.js';
import { InfluxSink } from '../engine/sinks/influx-sink.js';
import { InfluxV1Transport } from '../engine/sinks/influx-v1.js';
import { InfluxV2Transport } from '../engine/sinks/influx-v2.js';
import type { HistoryReader, HistorySink } from '../engine/sinks/points.js';
import { SqliteHistory } from '../engine/sinks/sqlite-history.js';
import { UsageError } from './errors.js';
import { MAX_SPOOL_MB, positiveFlag } from './flags.js';

export interface HistoryFlags {
  influxUrl?: string;
  influxApi: string;
  influxOrg?: string;
  influxBucket?: string;
  influxToken?: string;
  influxDb?: string;
  influxRp?: string;
  spoolMaxMb: number;
}

export function addHistoryOptions(cmd: Command): Command {
  return cmd
    .option('--influx-url <url>', 'write history to InfluxDB at this URL (default: the embedded store)')
    .option(
      '--influx-api <v2|v1>',
      'v2 write API (2.x, 3.x, Cloud, 1.8+) or v1 /write (1.x before 1.8)',
      'v2',
    )
    .option('--influx-org <org>', 'v2: organisation')
    .option('--influx-bucket <bucket>', 'v2: bucket (read back through its DBRP mapping)')
    .option('--influx-token <token>', 'API token (or CITYGAUGE_INFLUX_TOKEN); v1: user:password')
    .option('--influx-db <db>', 'v1: database')
    .option('--influx-rp <rp>', 'v1: retention policy')
    .option(
      '--spool-max-mb <n>',
      'on-disk spool for points InfluxDB could not take yet',
      positiveFlag(MAX_SPOOL_MB),
      1024,
    );
}

export function openHistory(
  flags: HistoryFlags,
  dataDir: string,
  log: Logger,
  /** Told when the InfluxDB spool fills up (true) and drains below its limit again (false). */
  onSpoolFull: (full: boolean, spoolDir: string) => void = () => {},
): { sink: HistorySink; reader: HistoryReader; where: string } {
  if (!flags.influxUrl) {
    const store = new SqliteHistory(dataDir, {
      onError: (err) => log.error({ err: err.message }, 'history write failed'),
    });
    return { sink: store, reader: store, where: `embedded store ${dataDir}/history.sqlite` };
  }
  const token = flags.influxToken ?? process.env.CITYGAUGE_INFLUX_TOKEN;
  const url = flags.influxUrl;
  let transport: InfluxV1Transport | InfluxV2Transport;
  let db: string;
  if (flags.influxApi === 'v1') {
    if (!flags.influxDb) throw new UsageError('--influx-api v1 needs --influx-db');
    transport = new InfluxV1Transport({ url, db: flags.influxDb, rp: flags.influxRp, token });
    db = flags.influxDb;
  } else if (flags.influxApi === 'v2') {
    if (!flags.influxOrg || !flags.influxBucket)
      throw new UsageError('--influx-url with the v2 API needs --influx-org and --influx-bucket');
    transport = new InfluxV2Transport({ url, org: flags.influxOrg, bucket: flags.influxBucket, token });
    db = flags.influxBucket;
  } else {
    throw new UsageError(`--influx-api '${flags.influxApi}': use v2 or v1`);
  }
  const sink = new InfluxSink({
    transport,
    dataDir,
    spoolMaxBytes: flags.spoolMaxMb * 2 ** 20,
    logger: log,
  });
  sink.spool.on('full', (full: boolean) => {
    onSpoolFull(full, sink.spool.dir);
    return full
      ? log.error(
          { spool: sink.spool.dir },
          'history spool is full: raw device states are being dropped; bring InfluxDB back or raise --spool-max-mb',
        )
      : log.info('history spool below its limit again');
  });
  const reader = new InfluxQLReader({ url, db, rp: flags.influxRp, token });
  return { sink, reader, where: `InfluxDB ${url} (${flags.influxApi}), spool in ${dataDir}/spool` };
}

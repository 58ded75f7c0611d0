#!/usr/bin/env node
// The citygauge command line: the one place that wires the parts together (docs/contract.md §5).
import { Command } from 'commander';
import { registerApi } from './api.js';
import { registerAudit } from './audit.js';
import { registerBackup } from './backup.js';
import { registerBroker } from './broker.js';
import { registerDashboards } from './dashboards.js';
import { registerDemo } from './demo.js';
import { registerEngine } from './engine.js';
import { CliError } from './errors.js';
import { registerImport } from './import.js';
import { registerRecompute } from './recompute.js';
import { registerReplay } from './replay.js';
import { registerReport } from './report.js';
import { registerScorecard } from './scorecard.js';
import { registerSimulate } from './simulate.js';
import { registerStart } from './start.js';
import { registerTokens } from './tokens.js';
import { registerUsers } from './users.js';
import { packageVersion } from './version.js';

const program = new Command('citygauge')
  .description('IoT edge telemetry and live ISO/IEC 30146 city indicators')
  .version(packageVersion(), '-V, --version', 'print the version of citygauge')
  .showHelpAfterError()
  .exitOverride();

registerStart(program);
registerDemo(program);
registerReplay(program);
registerImport(program);
registerScorecard(program);
registerReport(program);
registerRecompute(program);
registerEngine(program);
registerBroker(program);
registerApi(program);
registerSimulate(program);
registerUsers(program);
registerTokens(program);
registerAudit(program);
registerBackup(program);
registerDashboards(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const e = err as { code?: string; exitCode?: number; message?: string };
  if (e.code?.startsWith('commander.')) {
    // commander has printed its message; help and version are not errors, bad usage exits 2.
    process.exit(e.exitCode === 0 ? 0 : 2);
  }
  process.stderr.write(`citygauge: ${e.message ?? String(err)}\n`);
  if (!(err instanceof CliError)) process.stderr.write(`${(err as Error).stack ?? ''}\n`);
  process.exit(err instanceof CliError ? err.exitCode : 1);
}

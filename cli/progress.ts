// A progress bar on stderr for long commands, shown only to a person at a terminal (not in CI or pipes).
import { statSync } from 'node:fs';
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number): void;
  stop(): void;
}

const silent: Progress = { update() {}, stop() {} };

export function progressBar(label: string, total: number, unit: 'bytes' | 'items' = 'items'): Progress {
  if (!process.stderr.isTTY || total <= 0) return silent;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% | {shown} | ETA {eta_formatted}`,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const show = (done: number) =>
    unit === 'bytes' ? `${(done / 1e6).toFixed(0)}/${(total / 1e6).toFixed(0)} MB` : `${done}/${total}`;
  bar.start(total, 0, { shown: show(0) });
  return {
    update: (done) => bar.update(Math.min(done, total), { shown: show(done) }),
    stop: () => bar.stop(),
  };
}

export function fileSize(path: string): number {
  return statSync(path).size;
}

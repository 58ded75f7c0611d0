// The flows a city runs are its own once deployed from the editor; the shipped ones in `flows/` seed them.
// A new release's flows replace the running ones only if nobody has changed those since they were seeded —
// like a package manager's config files: never overwrite a local edit silently, say so instead.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Logger } from 'pino';

const digest = (text: string) => createHash('sha256').update(text).digest('hex');

export type SeedOutcome = 'seeded' | 'upgraded' | 'kept' | 'kept-local-edits';

export function seedFlows(shipped: string, running: string, log: Logger): SeedOutcome {
  const text = readFileSync(shipped, 'utf8');
  JSON.parse(text); // a broken shipped file is a bug to report now, not a blank dashboard later
  const marker = `${running}.seeded-sha256`;
  const write = () => {
    writeFileSync(running, text);
    writeFileSync(marker, digest(text));
  };
  if (!existsSync(running)) {
    write();
    log.info({ from: shipped, to: running }, 'Node-RED flows seeded from the shipped flows');
    return 'seeded';
  }
  const current = digest(readFileSync(running, 'utf8'));
  if (current === digest(text)) return 'kept';
  const seededFrom = existsSync(marker) ? readFileSync(marker, 'utf8').trim() : undefined;
  if (seededFrom === current) {
    write();
    log.info({ from: shipped, to: running }, 'Node-RED flows upgraded to the shipped flows');
    return 'upgraded';
  }
  log.warn(
    { shipped, running },
    'the running Node-RED flows were edited, so the shipped flows did not replace them: ' +
      'merge by importing the shipped file in the editor, or delete the running file to reseed it',
  );
  return 'kept-local-edits';
}

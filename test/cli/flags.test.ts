// Every numeric flag of every command is checked where it is read: a value that is not a number in range
// stops the command with exit code 2, naming the flag and what it accepts, before anything starts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const PORT_1 = 'A port is a whole number from 1 to 65535.';
const PORT_0 = 'A port is a whole number from 0 to 65535 (0 picks a free one).';
const POSITIVE = /Expected a number above 0 and at most \d+, like 1 or 0\.5\./;

// [command and its required arguments, flag, bad value, what the message says is allowed]
const CASES: [string[], string, string, string | RegExp][] = [
  [['start'], '--mqtt-port', 'abc', PORT_1],
  [['start'], '--http-port', '70000', PORT_1],
  [['start'], '--http-port', '0', PORT_1],
  [['start'], '--ws-port', '80.5', PORT_1],
  [['start'], '--devices', '0', 'Expected a whole number of 1 or more.'],
  [['start'], '--spool-max-mb', 'lots', POSITIVE],
  [['broker'], '--mqtt-port', '-1', PORT_0],
  [['broker'], '--ws-port', '', PORT_0],
  [['broker'], '--tls-port', '0x10', PORT_0],
  [['engine', '--mqtt-url', 'mqtt://127.0.0.1:1'], '--http-port', '1e3', PORT_0],
  [['engine', '--mqtt-url', 'mqtt://127.0.0.1:1'], '--spool-max-mb', '-5', POSITIVE],
  [['demo'], '--hours', 'three', POSITIVE],
  [['demo'], '--seed', 'NaN', 'Expected a whole number from 0 to 4294967295.'],
  [
    ['simulate', '--url', 'mqtt://127.0.0.1:1'],
    '--seed',
    '1.5',
    'Expected a whole number from 0 to 4294967295.',
  ],
  [['simulate', '--url', 'mqtt://127.0.0.1:1'], '--devices', '2abc', 'Expected a whole number of 1 or more.'],
  [['simulate', '--url', 'mqtt://127.0.0.1:1'], '--duration', 'Infinity', POSITIVE],
  [['simulate', '--url', 'mqtt://127.0.0.1:1'], '--speed', '0', POSITIVE],
];

describe('numeric flags', () => {
  it.each(CASES)(
    '%j %s %j exits 2 naming the flag and the allowed range',
    async (cmd, flag, value, allowed) => {
      const cwd = tempDir();
      const r = await runCli([...cmd, flag, value, '--data-dir', cwd], { cwd });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`option '${flag} <`);
      expect(r.stderr).toContain(`argument '${value}' is invalid`);
      if (typeof allowed === 'string') expect(r.stderr).toContain(allowed);
      else expect(r.stderr).toMatch(allowed);
    },
  );
});

describe('citygauge --version', () => {
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

  it.each(['--version', '-V'])('%s prints the version of package.json and exits 0', async (flag) => {
    const r = await runCli([flag]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${version}\n`);
  });
});

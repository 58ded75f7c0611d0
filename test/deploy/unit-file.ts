// Reading deploy/systemd/ as systemd does, for the tests: a unit's settings, the example env files, and the
// command line ExecStart= becomes once its variables and the instance are filled in (systemd.service(5),
// "Command lines"; systemd.exec(5), EnvironmentFile=).

export interface Setting {
  section: string;
  key: string;
  value: string;
}

/** Every `Key=Value` of a unit, in order, with its section; comments and blank lines left out. */
export function parseUnit(text: string): Setting[] {
  const settings: Setting[] = [];
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1];
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) throw new Error(`not a Key=Value line in [${section}]: ${line}`);
    settings.push({ section, key: line.slice(0, eq).trim(), value: line.slice(eq + 1).trim() });
  }
  return settings;
}

/** The values of `key` in [Service], in order (a key such as SystemCallFilter= may come several times). */
export const serviceValues = (unit: Setting[], key: string): string[] =>
  unit.filter((s) => s.section === 'Service' && s.key === key).map((s) => s.value);

export interface EnvFile {
  /** NAME → value of the lines that set something. */
  set: Record<string, string>;
  /** Every name the file documents, set or shown commented out (`#NAME=`). */
  documented: Set<string>;
}

/** An EnvironmentFile=: NAME=value lines, a value in double quotes kept whole. */
export function parseEnvFile(text: string): EnvFile {
  const set: Record<string, string> = {};
  const documented = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^(#?)([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (!m) continue;
    documented.add(m[2]);
    if (m[1] === '') set[m[2]] = m[3].replace(/^"(.*)"$/, '$1');
  }
  return { set, documented };
}

/** `Environment=A=1 B=2` as NAME → value (our units quote nothing there). */
export function parseEnvironment(values: string[]): Record<string, string> {
  return Object.fromEntries(
    values
      .flatMap((v) => v.split(/\s+/).filter(Boolean))
      .map((pair) => {
        const eq = pair.indexOf('=');
        return [pair.slice(0, eq), pair.slice(eq + 1)];
      }),
  );
}

/**
 * ExecStart= as the argument list systemd passes: `${NAME}` is one argument (empty when unset), a word that
 * is only `$NAME` is split at white space (no argument when unset or empty), `%i` is the instance. Our lines
 * use no quotes, so words are split at white space.
 */
export function expandCommand(line: string, env: Record<string, string>, instance = ''): string[] {
  return line
    .split(/\s+/)
    .filter(Boolean)
    .flatMap((word) => {
      const whole = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(word);
      if (whole) return (env[whole[1]] ?? '').split(/\s+/).filter(Boolean);
      return [
        word
          .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => env[name] ?? '')
          .replaceAll('%i', instance),
      ];
    });
}

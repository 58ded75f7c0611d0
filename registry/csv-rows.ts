// Stream the rows of a CSV file with their line numbers, so every error can say `file:line: reason`.
// csv-parse does the quoting, BOMs and line endings; a malformed record is reported and skipped.
import { createReadStream } from 'node:fs';
import { type CsvError, type Options, parse } from 'csv-parse';
import { LineGuard } from './line-guard.js';
import { LIMITS } from './text-limits.js';

/** The header comes first, then each data row or the reason it could not be read. Lines are 1-based. */
export type CsvItem =
  | { line: number; header: string[] }
  | { line: number; record: Record<string, string> }
  | { line: number; error: string };

export interface CsvOptions {
  /** Called as the file is read, with the bytes read so far. */
  onBytes?: (bytes: number) => void;
}

type Parsed = { line: number; fields: string[] };

const LINE_BREAK = /\r\n|\r|\n/g;

/** Backstop for a quoted cell running over many lines, each under the line limit. */
const MAX_RECORD_CHARS = 1024 * 1024;

// csv-parse's own messages count lines its own way.
const CSV_REASONS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quote opened here is never closed: the rest of the file is one cell',
  CSV_MAX_RECORD_SIZE: `a row longer than ${MAX_RECORD_CHARS.toLocaleString('en')} characters (a quote never closed?): the file is not read past here`,
};

export async function* csvRows(path: string, opts: CsvOptions = {}): AsyncGenerator<CsvItem> {
  const stream = createReadStream(path);
  if (opts.onBytes) {
    const onBytes = opts.onBytes;
    let bytes = 0;
    stream.on('data', (chunk) => {
      bytes += chunk.length;
      onBytes(bytes);
    });
  }
  // csv-parse counts a CRLF inside a quoted field as two lines and reports where a record ends, so the
  // line a record starts on is counted here. `on_record` and `skip` run in file order, in the parser.
  let lastLine = 0;
  let emptyLines = 0;
  const nextLine = (emptySoFar: number) => {
    const line = lastLine + 1 + (emptySoFar - emptyLines);
    emptyLines = emptySoFar;
    return line;
  };
  const errors: CsvItem[] = [];
  const options: Options<Parsed, string[]> = {
    bom: true,
    // A stray quote (`"Main "Hall""`) stays text rather than swallowing the rest of the file; the
    // schemas still reject it in an id or a number. Cells are trimmed below, quoted ones included.
    relax_quotes: true,
    skip_empty_lines: true,
    relax_column_count: true,
    skip_records_with_error: true,
    max_record_size: MAX_RECORD_CHARS,
    on_record: (fields, info) => {
      const line = nextLine(info.empty_lines);
      let breaks = 0;
      for (let i = 0; i < fields.length; i++) {
        const f = fields[i];
        if (f.includes('\n') || f.includes('\r')) breaks += f.match(LINE_BREAK)?.length ?? 0;
        // Trimmed here, not by csv-parse, which leaves the inside of quotes alone: GTFS feeds quote
        // names with trailing spaces.
        fields[i] = f.trim();
      }
      lastLine = line + breaks;
      return { line, fields };
    },
  };
  // The stream overloads of `parse` are typed for plain string[] records only.
  const parser = parse(options as unknown as Options);
  parser.on('skip', (err: CsvError & { lines?: number; empty_lines?: number }) => {
    const line = nextLine(err.empty_lines ?? emptyLines);
    lastLine = Math.max(line, err.lines ?? line);
    errors.push({ line, error: CSV_REASONS[err.code] ?? err.message });
  });
  const guard = new LineGuard(LIMITS.lineBytes, (line) =>
    errors.push({
      line,
      error: `line is longer than ${LIMITS.lineBytes.toLocaleString('en')} bytes (the limit of a row): skipped`,
    }),
  );
  stream.on('error', (err) => parser.destroy(err));
  guard.on('error', (err) => parser.destroy(err));
  stream.pipe(guard).pipe(parser);

  let header: string[] | undefined;
  try {
    for await (const item of parser as AsyncIterable<Parsed>) {
      yield* errors.splice(0);
      const { line, fields } = item;
      if (!header) {
        header = fields;
        yield { line, header };
        continue;
      }
      // A row of empty cells is what spreadsheets leave below the data: not a row at all.
      if (fields.every((f) => f === '')) continue;
      if (fields.length !== header.length) {
        yield { line, error: `has ${fields.length} fields, the header has ${header.length}` };
        continue;
      }
      // No prototype: a column named `__proto__` is just a column.
      const record: Record<string, string> = Object.create(null);
      for (let i = 0; i < header.length; i++) record[header[i]] = fields[i];
      yield { line, record };
    }
  } catch (err) {
    yield* errors.splice(0);
    yield { line: lastLine + 1, error: `cannot read the file: ${(err as Error).message}` };
    return;
  }
  yield* errors.splice(0);
}

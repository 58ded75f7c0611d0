// Stream the rows of a CSV file with their line numbers, so every error can say `file:line: reason`.
// csv-parse does the quoting, BOMs and line endings; a malformed record is reported and skipped.
import { createReadStream } from 'node:fs';
import { type CsvError, parse } from 'csv-parse';

export type CsvRow = { line: number; record: Record<string, string> } | { line: number; error: string };

export interface CsvOptions {
  /** Called as the file is read, with the bytes read so far. */
  onBytes?: (bytes: number) => void;
}

/** The header row comes first as `{ line: 1, header }`, then each data row or its error. */
export async function* csvRows(
  path: string,
  opts: CsvOptions = {},
): AsyncGenerator<CsvRow | { line: 1; header: string[] }> {
  const stream = createReadStream(path);
  let bytes = 0;
  stream.on('data', (chunk) => {
    bytes += chunk.length;
    opts.onBytes?.(bytes);
  });
  const skipped: CsvRow[] = [];
  const parser = stream.pipe(
    parse({
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      skip_records_with_error: true,
      info: true,
    }),
  );
  parser.on('skip', (err: CsvError) => {
    skipped.push({ line: (err as CsvError & { lines?: number }).lines ?? 0, error: err.message });
  });
  let header: string[] | undefined;
  for await (const { record, info } of parser as AsyncIterable<{
    record: string[];
    info: { lines: number };
  }>) {
    while (skipped.length) yield skipped.shift()!;
    if (!header) {
      header = record;
      yield { line: 1, header };
      continue;
    }
    if (record.length !== header.length) {
      yield { line: info.lines, error: `has ${record.length} fields, the header has ${header.length}` };
      continue;
    }
    const row: Record<string, string> = {};
    // Quoted cells keep their spaces in csv-parse; real feeds (VTA's route names) have trailing ones.
    for (let i = 0; i < header.length; i++) row[header[i]] = record[i].trim();
    yield { line: info.lines, record: row };
  }
  while (skipped.length) yield skipped.shift()!;
}

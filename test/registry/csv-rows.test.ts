// csvRows: the line each record starts on, whatever the file's line endings, quoting and blank lines.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CsvItem, csvRows } from '../../registry/csv-rows.js';
import { tempDir } from '../support/tmp.js';

async function read(text: string | Buffer, onBytes?: (b: number) => void): Promise<CsvItem[]> {
  const path = join(tempDir(), 'rows.csv');
  writeFileSync(path, text);
  const items: CsvItem[] = [];
  for await (const item of csvRows(path, { onBytes })) items.push(item);
  return items;
}

describe('csvRows', () => {
  it('yields the header, then each record with the file line it starts on', async () => {
    expect(await read('id,name\na,A\n\nb,B\n')).toEqual([
      { line: 1, header: ['id', 'name'] },
      { line: 2, record: { id: 'a', name: 'A' } },
      { line: 4, record: { id: 'b', name: 'B' } },
    ]);
  });

  it('counts lines right across CRLF, blank lines and line breaks inside quotes', async () => {
    // csv-parse alone would put `c` on line 7: it counts the CRLF inside the quotes twice.
    const items = await read(
      'id,note\r\na,"two\r\nlines"\r\n   \r\nb,"x"\r\nc,"three\r\nline\nnote"\r\nd,y\r\n',
    );
    expect(items.map((i) => ('record' in i ? `${i.record.id}@${i.line}` : i.line))).toEqual([
      1,
      'a@2',
      'b@5',
      'c@6',
      'd@9',
    ]);
  });

  it('skips a byte-order mark and trims cells, quoted ones too', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const items = await read(Buffer.concat([bom, Buffer.from('"id",name\n a ,"PALO ALTO - EASTRIDGE "\n')]));
    expect(items).toEqual([
      { line: 1, header: ['id', 'name'] },
      { line: 2, record: { id: 'a', name: 'PALO ALTO - EASTRIDGE' } },
    ]);
  });

  it('keeps a stray quote as text, so one bad cell does not swallow the rows after it', async () => {
    const items = await read('id,name\na,"Main "Hall" Station"\nb,x"y\nc,C,extra\nd,"open\ne,E\n');
    expect(items).toEqual([
      { line: 1, header: ['id', 'name'] },
      { line: 2, record: { id: 'a', name: '"Main "Hall" Station"' } },
      { line: 3, record: { id: 'b', name: 'x"y' } },
      { line: 4, error: 'has 3 fields, the header has 2' },
      { line: 5, error: 'a quote opened here is never closed: the rest of the file is one cell' },
    ]);
  });

  it('keeps a column named __proto__ as a plain column', async () => {
    const items = await read('id,__proto__\na,x\n');
    const record = (items[1] as { record: Record<string, string> }).record;
    expect(Object.entries(record)).toEqual([
      ['id', 'a'],
      ['__proto__', 'x'],
    ]);
  });

  it('reports the bytes read, up to the size of the file', async () => {
    const text = `id,name\n${Array.from({ length: 20_000 }, (_, i) => `d${i},name ${i}`).join('\n')}\n`;
    const seen: number[] = [];
    const items = await read(text, (b) => seen.push(b));
    expect(items).toHaveLength(20_001);
    expect(seen.length).toBeGreaterThan(1);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.at(-1)).toBe(Buffer.byteLength(text));
  });
});

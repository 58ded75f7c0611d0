// The line guard in front of the CSV parser: lines over the limit become empty lines (so later lines keep
// their numbers) and are reported by number; everything else passes byte for byte, however it is chunked.
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { LineGuard } from '../../registry/line-guard.js';

async function guard(input: string, max: number, chunkSize: number) {
  const long: number[] = [];
  const bytes = Buffer.from(input);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  const out = await text(Readable.from(chunks).pipe(new LineGuard(max, (line) => long.push(line))));
  return { out, long };
}

describe('LineGuard', () => {
  const input = 'id,kind\r\nshort\r\n0123456789ABC\nok\r1234567890123456\n\nlast';
  it('drops only the long lines and reports their numbers, for every chunk size, over LF, CRLF and CR', async () => {
    for (let size = 1; size <= input.length; size++) {
      const r = await guard(input, 10, size);
      expect(r.long, `chunks of ${size}`).toEqual([3, 5]);
      expect(r.out, `chunks of ${size}`).toBe('id,kind\r\nshort\r\n\nok\r\n\nlast');
    }
  });

  it('passes a file without long lines unchanged', async () => {
    const r = await guard('a,b\r\nc,"d\ne"\n', 64, 3);
    expect(r).toEqual({ out: 'a,b\r\nc,"d\ne"\n', long: [] });
  });

  it('drops a long last line without a line end', async () => {
    expect(await guard('a\nbbbbbbbbbbbbbbbbbbbb', 5, 4)).toEqual({ out: 'a\n', long: [2] });
  });
});

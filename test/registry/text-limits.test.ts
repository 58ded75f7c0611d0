// Every text a file can set has a length and character limit (issue 10 item 11), and a CSV line over the
// limit is refused with its line number without being held whole: the rows around it still count.
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInventoryDir } from '../../registry/load-inventory.js';
import { DEVICE_HEADER, inventoryDir } from '../support/tmp.js';
import { ASSETS, deviceRow, load, messages, withDevices } from './temp-inventory.js';

describe('text limits of inventory rows', () => {
  it('refuses a district over 64 characters, with the limit', async () => {
    const r = await load(
      withDevices(`bus-1,transit-beacon,${'d'.repeat(65)}`, `bus-2,transit-beacon,${'d'.repeat(64)}`),
    );
    expect(messages(r)).toEqual([
      expect.stringMatching(/^devices\.csv:2: district: at most 64 characters \(got 'ddd+\.\.\.\)$/),
    ]);
    expect([...r.inventory.devices.keys()]).toEqual(['bus-2']);
  });

  it('refuses names over 200 characters or with control characters, route ids over 128', async () => {
    const r = await load({
      ...ASSETS,
      'areas.csv': `id,class,district,name\na1,key-public,centre,${'n'.repeat(201)}\na2,key-public,centre,Bell\u0007\na3,key-public,centre,Café Ünter 広場\n`,
      'routes.txt': `route_id,route_long_name\n${'r'.repeat(129)},Long\n22,${'x'.repeat(201)}\n23,Fine\n`,
    });
    expect(messages(r)).toEqual([
      expect.stringMatching(/^areas\.csv:2: name: at most 200 characters/),
      'areas.csv:3: name: must not contain control characters',
      expect.stringMatching(/^routes\.txt:2: route_id: at most 128 characters/),
      expect.stringMatching(/^routes\.txt:3: route_long_name: at most 200 characters/),
    ]);
    expect([...r.inventory.areas.keys()]).toEqual(['a3']);
    expect([...r.inventory.routes.keys()]).toEqual(['23']);
  });

  it('refuses an extra column value over 1,024 characters and a header column over 64', async () => {
    const r = await load({
      ...ASSETS,
      'devices.csv': `${DEVICE_HEADER},notes\nsen-1,sensor,,smelter,,,,,,${'n'.repeat(1025)}\nsen-2,sensor,,smelter,,,,,,"two\nlines"\n`,
    });
    expect(messages(r)).toEqual(['devices.csv:2: notes: at most 1024 characters']);
    expect(r.inventory.devices.get('sen-2')?.attributes).toEqual({ notes: 'two\nlines' });
    const wide = await load({
      ...ASSETS,
      'sites.csv': `id,class,district,name,${'c'.repeat(65)}\ns,energy,east,S,1\n`,
    });
    expect(messages(wide)).toEqual([
      `sites.csv:1: header column '${'c'.repeat(20)}...' is longer than 64 characters: file skipped`,
    ]);
  });
});

/** Write a devices.csv with a line of `bytes` bytes among good rows, without building it in memory. */
async function hugeLineInventory(bytes: number, withHeader: boolean): Promise<string> {
  const dir = inventoryDir(ASSETS);
  const out = createWriteStream(join(dir, 'devices.csv'));
  if (withHeader) out.write(`${DEVICE_HEADER}\n${deviceRow('sen-1,sensor,,smelter')}\n`);
  const chunk = Buffer.alloc(1024 * 1024, 'x');
  for (let left = bytes; left > 0; left -= chunk.length)
    if (!out.write(left >= chunk.length ? chunk : chunk.subarray(0, left)))
      await new Promise<void>((r) => out.once('drain', () => r()));
  out.end(withHeader ? `\n${deviceRow('sen-2,sensor,,smelter')}\n` : '');
  await new Promise<void>((r) => out.once('finish', () => r()));
  return dir;
}

/** Peak growth of RSS over `run`, sampled every 5 ms. */
async function peakRssGrowth(run: () => Promise<unknown>): Promise<number> {
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  try {
    await run();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, process.memoryUsage().rss) - before;
}

describe('a CSV line over 64 KiB', () => {
  it('refuses a 200 MB one-line devices.csv with its file and line, holding none of it', async () => {
    const size = 200 * 1024 * 1024;
    const dir = await hugeLineInventory(size, false);
    let r: Awaited<ReturnType<typeof loadInventoryDir>> | undefined;
    const growth = await peakRssGrowth(async () => {
      r = await loadInventoryDir(dir);
    });
    expect(messages(r!)).toEqual([
      'devices.csv:1: line is longer than 65,536 bytes (the limit of a row): skipped',
      'devices.csv:1: is empty: expected a header row with id, kind',
    ]);
    expect(r!.inventory.devices.size).toBe(0);
    // Held whole, the line alone is 200 MB, and more again as the parser's cell. Read 64 KiB at a time, the
    // chunks already read wait for the garbage collector, which lets them pile up to a plateau of its own
    // choosing (about 35 MB on Node 20, 65 MB on Node 24, the same for a 50 MB line as for a 200 MB one).
    expect(growth).toBeLessThan(size / 2);
  }, 60_000);

  it('skips only that line: the rows before and after it are imported, on their own line numbers', async () => {
    const dir = await hugeLineInventory(5 * 1024 * 1024, true);
    const r = await loadInventoryDir(dir);
    expect(messages(r)).toEqual([
      'devices.csv:3: line is longer than 65,536 bytes (the limit of a row): skipped',
    ]);
    expect([...r.inventory.devices.keys()]).toEqual(['sen-1', 'sen-2']);
  });
});

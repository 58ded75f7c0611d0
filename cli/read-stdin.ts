// A secret piped in (`--password-stdin`), so it never appears in the shell's history or the process list.

/** Everything on stdin, less the one line ending a pipe or a heredoc adds. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

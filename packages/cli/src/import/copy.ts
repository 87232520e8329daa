import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** Writes a chunk and waits for 'drain' when the stream's buffer is full (rejects on the stream's error). */
export async function writeChunk(stream: Writable, chunk: string): Promise<void> {
  if (!stream.write(chunk)) await once(stream, 'drain');
}

/** Ends a writable and waits until it has flushed everything (rejects on its error). */
export async function endStream(stream: Writable): Promise<void> {
  stream.end();
  await finished(stream);
}

/** Opens `COPY <target> FROM STDIN (FORMAT csv)` on the client: write CSV lines (no header), then endStream(). */
export function copyCsvInto(client: pg.PoolClient | pg.Client, target: string): Writable {
  return client.query(copyFrom(`copy ${target} from stdin with (format csv)`));
}

/** Fails an open COPY (the server discards what it received) and waits until the connection is usable again. */
export async function abortCopy(stream: Writable): Promise<void> {
  if (stream.destroyed) return;
  stream.destroy(new Error('import aborted'));
  await finished(stream).catch(() => {});
}

import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { newBallotKeyEntry, parseBallotKeys } from '@primaries/sealing';

/**
 * BALLOT_KEYS for a local stack (`pnpm start` outside production): read from
 * `<dataDir>/ballot-keys`, or a new random key written there (mode 0600) on the first run,
 * so ballots sealed before a restart still open after it. Production must set BALLOT_KEYS
 * itself (the services refuse to start without it).
 */
export async function localBallotKeys(dataDir: string, log: (msg: string) => void): Promise<string> {
  const file = path.join(dataDir, 'ballot-keys');
  try {
    const text = (await readFile(file, 'utf8')).trim();
    parseBallotKeys(text);
    return text;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
  }
  const entry = newBallotKeyEntry(`dev-${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`);
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${entry}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  log(`generated a ballot sealing key in ${file} (BALLOT_KEYS; keep it with the data, never in the database)`);
  return entry;
}

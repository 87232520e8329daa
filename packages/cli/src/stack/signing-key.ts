import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { newSigningKeyEntry, parseSigningKey } from '@primaries/sealing';

/**
 * RESULTS_SIGNING_KEY for a local stack (`pnpm start` outside production), as ballot-keys.ts
 * does for BALLOT_KEYS: read from `<dataDir>/signing-key`, or a new Ed25519 key written there
 * (mode 0600) on the first run, so the snapshot chain keeps one key across restarts.
 */
export async function localSigningKey(dataDir: string, log: (msg: string) => void): Promise<string> {
  const file = path.join(dataDir, 'signing-key');
  try {
    const text = (await readFile(file, 'utf8')).trim();
    parseSigningKey(text);
    return text;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
  }
  const entry = newSigningKeyEntry(`dev-${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`);
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${entry}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  log(`generated the election's results signing key in ${file} (RESULTS_SIGNING_KEY; the worker's only)`);
  return entry;
}

/** A service's environment: the signing key's private part reaches the worker only (issue #16). */
export function serviceSecrets<T extends Record<string, string | undefined>>(env: T, service: string): T {
  if (service === 'worker') return env;
  const { RESULTS_SIGNING_KEY: _key, ...rest } = env;
  return rest as T;
}

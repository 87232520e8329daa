import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { SETUP_KINDS, type SetupKind } from '@primaries/domain';
import { type SetupFile, SetupFileError, setupKindOf } from '@primaries/election-setup';

/**
 * The setup files to read: a directory's `regions.csv`, `districts.csv`, `contests.csv`,
 * `candidates.csv` (those present), or files named so. Any other name is refused.
 */
export async function resolveSetupFiles(inputs: readonly string[]): Promise<Map<SetupKind, string>> {
  const files = new Map<SetupKind, string>();
  const add = (kind: SetupKind, file: string) => {
    if (files.has(kind)) throw new SetupFileError(`two ${kind} files given: ${files.get(kind)} and ${file}`);
    files.set(kind, file);
  };
  for (const input of inputs) {
    const p = path.resolve(input);
    const s = await stat(p).catch(() => null);
    if (!s) throw new SetupFileError(`cannot read ${p}`);
    if (s.isDirectory()) {
      const names = await readdir(p);
      for (const kind of SETUP_KINDS) if (names.includes(`${kind}.csv`)) add(kind, path.join(p, `${kind}.csv`));
      continue;
    }
    const kind = setupKindOf(path.basename(p));
    if (!kind) throw new SetupFileError(`${p}: a setup file is named ${SETUP_KINDS.map((k) => `${k}.csv`).join(', ')}`);
    add(kind, p);
  }
  if (files.size === 0) throw new SetupFileError(`no setup files found (${SETUP_KINDS.map((k) => `${k}.csv`).join(', ')})`);
  return files;
}

/** Each resolved file's content, named by its base name as the report shows it. */
export async function readSetupFiles(files: Map<SetupKind, string>): Promise<SetupFile[]> {
  const out: SetupFile[] = [];
  for (const [kind, file] of files) {
    const content = await readFile(file).catch((err: Error) => {
      throw new SetupFileError(`cannot read ${file}: ${err.message}`);
    });
    out.push({ kind, name: path.basename(file), content });
  }
  return out;
}

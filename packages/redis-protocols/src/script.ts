import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * The one script helper. Every Lua script of the system is defined here with
 * `defineScript` (which registers it), loaded with SCRIPT LOAD when a process starts
 * (`loadScripts`, before /ready answers 200), and run with EVALSHA (`runScript`).
 *
 * Why not ioredis `defineCommand`: it adds a method to the client, and an auto-pipelining
 * client copies the methods into each batch when the batch opens. A command defined on
 * first use while a batch was open was missing from that batch, and its reply handler then
 * crashed the process (issue #8: `pipeline[functionName] is not a function`, `results[i] is
 * not iterable`). EVALSHA is a built-in command every batch has, so scripts here are safe
 * inside auto-pipelining. A Redis that lost its script cache (a restart: the AOF keeps data,
 * not scripts) answers NOSCRIPT; the helper then loads the script again and retries once.
 */
interface LuaScript {
  /** A name for logs and readiness answers. */
  readonly name: string;
  /** Keys the script takes; 'variable' for one whose key count is given per call (e.g. a marker per contest). */
  readonly numberOfKeys: number | 'variable';
  readonly lua: string;
  /** SHA-1 of the text: what EVALSHA names and SCRIPT LOAD returns. */
  readonly sha: string;
}

const registry = new Map<string, LuaScript>();

/** Defines and registers a script; names are unique across the package. */
export function defineScript(name: string, numberOfKeys: number | 'variable', lua: string): LuaScript {
  if (registry.has(name)) throw new Error(`redis script ${name} is defined twice`);
  const script = Object.freeze({ name, numberOfKeys, lua, sha: createHash('sha1').update(lua).digest('hex') });
  registry.set(name, script);
  return script;
}

/** Every script this package defines. */
export function registeredScripts(): LuaScript[] {
  return [...registry.values()];
}

async function load(redis: Redis, script: LuaScript): Promise<void> {
  const sha = await redis.script('LOAD', script.lua);
  if (sha !== script.sha) throw new Error(`redis script ${script.name}: SCRIPT LOAD answered ${String(sha)}, expected ${script.sha}`);
}

/** SCRIPT LOAD for every registered script (at start, and for /ready after a Redis restart). */
async function loadScripts(redis: Redis, scripts: readonly LuaScript[] = registeredScripts()): Promise<void> {
  await Promise.all(scripts.map((s) => load(redis, s)));
}

/** The registered scripts this Redis does not hold (SCRIPT EXISTS: one round trip). */
export async function missingScripts(redis: Redis, scripts: readonly LuaScript[] = registeredScripts()): Promise<LuaScript[]> {
  if (scripts.length === 0) return [];
  const exists = (await redis.script('EXISTS', ...scripts.map((s) => s.sha))) as number[];
  return scripts.filter((_, i) => exists[i] !== 1);
}

/** Loads what is missing: the readiness check, so /ready is 200 only once every script is there. */
export async function ensureScripts(redis: Redis): Promise<void> {
  const missing = await missingScripts(redis);
  if (missing.length) await loadScripts(redis, missing);
}

// One reload at a time per client and script, however many requests met NOSCRIPT at once.
const reloading = new WeakMap<Redis, Map<string, Promise<void>>>();

function reload(redis: Redis, script: LuaScript): Promise<void> {
  let perClient = reloading.get(redis);
  if (!perClient) reloading.set(redis, (perClient = new Map<string, Promise<void>>()));
  let p = perClient.get(script.sha);
  if (!p) {
    const map = perClient;
    p = load(redis, script).finally(() => map.delete(script.sha));
    map.set(script.sha, p);
  }
  return p;
}

function isNoScript(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('NOSCRIPT');
}

/** Runs a script by EVALSHA; on NOSCRIPT loads it again and retries once. */
export async function runScript(redis: Redis, script: LuaScript, keys: readonly string[], args: ReadonlyArray<string | number> = []): Promise<unknown> {
  if (script.numberOfKeys !== 'variable' && keys.length !== script.numberOfKeys) throw new Error(`redis script ${script.name} takes ${script.numberOfKeys} keys, got ${keys.length}`);
  const n = keys.length;
  try {
    return await redis.evalsha(script.sha, n, ...keys, ...args);
  } catch (err) {
    if (!isNoScript(err)) throw err;
    await reload(redis, script);
    return redis.evalsha(script.sha, n, ...keys, ...args);
  }
}

/** A stack start-up failure that names its fix; start.ts prints both and exits 1. */
export class StackError extends Error {
  override name = 'StackError';
  constructor(message: string, readonly fix: string) {
    super(message);
  }
}

/** Loopback names: only for these may `pnpm start` run a server of its own instead. */
export function isLocalHost(hostname: string): boolean {
  return ['localhost', '127.0.0.1', '::1', '[::1]'].includes(hostname) || hostname.startsWith('127.');
}

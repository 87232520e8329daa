/** Connection settings for commands: the same names as the services, same defaults. */
export function databaseUrl(): string {
  return process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/primaries';
}
export function redisUrl(): string {
  return process.env.REDIS_URL || 'redis://127.0.0.1:6379';
}
export function redisPrefix(): string {
  return process.env.REDIS_PREFIX || 'primaries';
}

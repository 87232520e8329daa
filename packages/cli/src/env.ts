/** Connection settings for commands: the same names as the services, same defaults. */
export function databaseUrl(): string {
  return process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/primaries';
}

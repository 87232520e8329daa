import type { PreOpenInput } from '@primaries/domain';

/**
 * The deployment settings the pre-open check reads (SMS provider, ballot keys), from the
 * environment the services run with: `pnpm primaries election check` and the console both
 * read their own process's.
 */
export function deploymentFromEnv(env: Record<string, string | undefined>): PreOpenInput['deployment'] {
  return {
    production: env.NODE_ENV === 'production',
    smsProvider: env.SMS_PROVIDER || undefined,
    smsHttpUrl: env.SMS_HTTP_URL || undefined,
    ballotKeys: (env.BALLOT_KEYS ?? '').split(',').filter((k) => /^[^:\s]+:\S+$/.test(k.trim())).length,
  };
}

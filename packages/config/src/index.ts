import { createHash } from 'node:crypto';
import { z } from 'zod';
import { KZ_MOBILE_CODES } from '@primaries/domain';
import { type BallotKey, type SigningKey, parseBallotKeys, parseSigningKey } from '@primaries/sealing';

/**
 * Every service's settings, one zod schema each, parsed once at start and frozen
 * (configuration fails fast). Names are part of the public
 * contract (docs/configuration.md); add new ones, never rename.
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** A comma-separated list of CIDRs or bare addresses. */
const cidrList = z
  .string()
  .transform((s) => s.split(',').map((p) => p.trim()).filter(Boolean));

/**
 * One upstream's instances: a comma-separated list of http(s) URLs (issue #17), at least one,
 * no duplicates. A single URL (compose, Kubernetes Services) is a list of one.
 */
const urlList = z
  .string()
  .transform((s, ctx) => {
    const urls = s.split(',').map((u) => u.trim()).filter(Boolean);
    if (urls.length === 0) ctx.addIssue({ code: 'custom', message: 'at least one URL' });
    for (const u of urls) {
      if (!URL.canParse(u) || !/^https?:$/.test(new URL(u).protocol)) ctx.addIssue({ code: 'custom', message: `"${u}" is not an http(s) URL` });
    }
    if (new Set(urls.map((u) => new URL(u).origin)).size !== urls.length) ctx.addIssue({ code: 'custom', message: 'the same instance twice' });
    return urls;
  });

/** Kazakh mobile operator codes (3 digits each, comma-separated); the election's rules keep the list in configuration. */
const mobileCodes = z
  .string()
  .regex(/^\s*\d{3}(\s*,\s*\d{3})*\s*$/, 'a comma-separated list of 3-digit codes')
  .transform((s) => s.split(',').map((c) => c.trim()));

/** `host:port` pairs, comma-separated; IPv6 hosts in brackets; a missing port is Sentinel's 26379. */
const hostPortList = z
  .string()
  .transform((s, ctx) => {
    const out: { host: string; port: number }[] = [];
    for (const item of s.split(',').map((p) => p.trim()).filter(Boolean)) {
      const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+))(?::(\d{1,5}))?$/.exec(item);
      const port = m?.[3] === undefined ? 26379 : Number(m[3]);
      if (!m || port < 1 || port > 65535) {
        ctx.addIssue({ code: 'custom', message: `"${item}" is not host:port` });
        return z.NEVER;
      }
      out.push({ host: (m[1] ?? m[2])!, port });
    }
    if (out.length === 0) ctx.addIssue({ code: 'custom', message: 'names no sentinel' });
    return out;
  });

export const LOOPBACK_PROXIES = ['127.0.0.1/8', '::1/128'];

/** BALLOT_KEYS: `id:base64key[,id:base64key…]` (32-byte AES-256 keys); the first seals, all open. */
const ballotKeys = z.string().transform((text, ctx): BallotKey[] => {
  try {
    return parseBallotKeys(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

/** The id of the development key used when BALLOT_KEYS is unset outside production. */
export const DEVELOPMENT_BALLOT_KEY_ID = 'insecure-development-key';

/**
 * A key everyone can compute (it is derived from a sentence in this file): sealing with it
 * protects nothing, and the services print a warning when they run with it. Production
 * refuses to start without BALLOT_KEYS; `pnpm start` generates a real key into its data dir.
 */
function developmentBallotKeys(): BallotKey[] {
  const key = createHash('sha256').update('primaries: publicly known development ballot key, never for a real election').digest();
  return [{ id: DEVELOPMENT_BALLOT_KEY_ID, key }];
}

/** BALLOT_KEYS as parsed; the known development key outside production when unset (services warn). */
function withBallotKeys<T extends { NODE_ENV: string; BALLOT_KEYS?: BallotKey[] | undefined }>(c: T) {
  return { ...c, BALLOT_KEYS: c.BALLOT_KEYS ?? (c.NODE_ENV === 'production' ? [] : developmentBallotKeys()) };
}

function requireBallotKeysInProduction(c: { NODE_ENV: string; BALLOT_KEYS: readonly BallotKey[] }, ctx: z.RefinementCtx) {
  if (c.NODE_ENV === 'production' && c.BALLOT_KEYS.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['BALLOT_KEYS'], message: 'required when NODE_ENV=production (id:base64key[,…], 32-byte keys)' });
  }
}

/** RESULTS_SIGNING_KEY: `id:base64(PKCS #8 DER)`, the election's Ed25519 key that signs the results snapshots (issue #16). */
const signingKey = z.string().transform((text, ctx): SigningKey => {
  try {
    return parseSigningKey(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

/** The id of the publicly known signing key used when RESULTS_SIGNING_KEY is unset outside production. */
export const DEVELOPMENT_SIGNING_KEY_ID = 'insecure-development-key';

/**
 * A signing key everyone has (it is written here): a snapshot signed with it proves nothing,
 * and the worker warns when it runs with it. Production refuses to start without
 * RESULTS_SIGNING_KEY; `pnpm start` generates a real key into its data dir.
 */
const DEVELOPMENT_SIGNING_KEY = `${DEVELOPMENT_SIGNING_KEY_ID}:MC4CAQAwBQYDK2VwBCIEIP7j7f6YPCZwu5ffrPKc5mxn9OzPD5uE54/EOB14o/eO`;

/** RESULTS_SIGNING_KEY as parsed; the development key outside production when unset (null in production: refused). */
function withSigningKey<T extends { NODE_ENV: string; RESULTS_SIGNING_KEY?: SigningKey | undefined }>(c: T) {
  return { ...c, RESULTS_SIGNING_KEY: c.RESULTS_SIGNING_KEY ?? (c.NODE_ENV === 'production' ? null : parseSigningKey(DEVELOPMENT_SIGNING_KEY)) };
}

/**
 * Who delivers one-time codes: `http` (the operator's SMS gateway), `outbox` (a Redis
 * stream, for development and tests) or `rehearsal` (the outbox, but only for the
 * synthetic members' numbers of a load-test rehearsal). The last two never in production.
 */
const smsProvider = z.enum(['outbox', 'http', 'rehearsal']).default('outbox');

function refuseDevelopmentSms(c: { NODE_ENV: string; SMS_PROVIDER: string }, ctx: z.RefinementCtx) {
  if ((c.SMS_PROVIDER === 'outbox' || c.SMS_PROVIDER === 'rehearsal') && c.NODE_ENV === 'production') {
    ctx.addIssue({ code: 'custom', path: ['SMS_PROVIDER'], message: `${c.SMS_PROVIDER} is refused when NODE_ENV=production` });
  }
}

const common = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  /** Prefix of every Redis key and BullMQ queue: lets tests and several stacks share one Redis. */
  REDIS_PREFIX: z.string().regex(/^[a-zA-Z0-9_-]+$/).default('primaries'),
  /**
   * Redis Sentinel addresses: when set, every client asks them for the current master of
   * REDIS_SENTINEL_NAME (and follows a failover); REDIS_URL then gives only the password,
   * user, database number and TLS, not the host.
   */
  REDIS_SENTINELS: hostPortList.optional(),
  REDIS_SENTINEL_NAME: z.string().regex(/^[A-Za-z0-9._-]+$/).default('mymaster'),
  /** The sentinels' own password, when they have one (`requirepass` in sentinel.conf). */
  REDIS_SENTINEL_PASSWORD: z.string().optional(),
};

const database = {
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/primaries'),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
};

/** TRUSTED_PROXIES: loopback by default outside production, nothing in production. */
function withTrustedProxies<T extends { NODE_ENV: string; TRUSTED_PROXIES?: string[] | undefined }>(c: T) {
  return { ...c, TRUSTED_PROXIES: c.TRUSTED_PROXIES ?? (c.NODE_ENV === 'production' ? [] : LOOPBACK_PROXIES) };
}

export const gatewaySchema = z
  .object({
    ...common,
    GATEWAY_PORT: z.coerce.number().int().min(1).max(65535).default(8080),
    GATEWAY_BIND: z.string().default('0.0.0.0'),
    VOTE_HOST: z.string().min(1).default('vote.localhost'),
    RESULTS_HOST: z.string().min(1).default('localhost'),
    /** The officials' site (issue #12): reaches only the admin service. */
    ADMIN_HOST: z.string().min(1).default('admin.localhost'),
    VOTE_UPSTREAM: urlList.default(['http://127.0.0.1:3001']),
    RESULTS_UPSTREAM: urlList.default(['http://127.0.0.1:3002']),
    ADMIN_UPSTREAM: urlList.default(['http://127.0.0.1:3004']),
    TRUSTED_PROXIES: cidrList.optional(),
    /** Requests per client address per window on the vote site (Redis-backed, shared by all gateway instances). */
    RATE_LIMIT_VOTE_MAX: z.coerce.number().int().min(1).default(120),
    RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).default(60),
    /** Requests per client address per window on the results site (served from cache, so generous). */
    RATE_LIMIT_RESULTS_MAX: z.coerce.number().int().min(1).default(600),
    /** Requests per client address per window on the officials' site (a few hundred staff; Redis-backed). */
    RATE_LIMIT_ADMIN_MAX: z.coerce.number().int().min(1).default(300),
    /** Cache results answers in gateway memory for their Cache-Control lifetime. */
    RESULTS_GATEWAY_CACHE: bool.default(true),
    /** Upper bound of the gateway's results cache (bodies + headers), LRU beyond it. */
    RESULTS_GATEWAY_CACHE_MAX_BYTES: z.coerce.number().int().min(1024).default(64 * 1024 * 1024),
    /** Shared addresses exempt from the gateway's rate limits, such as polling stations (CIDR list). */
    RATE_LIMIT_ALLOWLIST: cidrList.default([]),
    /** Keep-alive connections per upstream (sized for 1,000 concurrent clients). */
    GATEWAY_UPSTREAM_CONNECTIONS: z.coerce.number().int().min(1).max(10_000).default(1000),
    GATEWAY_UPSTREAM_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).default(2000),
    /** Longest wait for an upstream's response headers, and between body chunks. */
    GATEWAY_UPSTREAM_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
    /** With several instances of an upstream: how often each one's /health is probed (issue #17). */
    GATEWAY_UPSTREAM_PROBE_INTERVAL_MS: z.coerce.number().int().min(100).default(2000),
    /**
     * The bearer token that opens the operational endpoints through the gateway (its own
     * /_gateway/ready, /metrics, /docs and the sites' /metrics, /ready, /docs). Required in
     * production; unset outside production they are open (docs/gateway.md).
     */
    OPS_TOKEN: z.string().min(32, 'at least 32 characters').optional(),
  })
  .superRefine((c, ctx) => {
    if (!c.OPS_TOKEN && c.NODE_ENV === 'production') {
      ctx.addIssue({ code: 'custom', path: ['OPS_TOKEN'], message: 'required when NODE_ENV=production (a random secret of 32+ characters)' });
    }
  })
  .transform(withTrustedProxies);

export const voteSchema = z
  .object({
    ...common,
    ...database,
    VOTE_PORT: z.coerce.number().int().min(1).max(65535).default(3001),
    VOTE_BIND: z.string().default('127.0.0.1'),
    TRUSTED_PROXIES: cidrList.optional(),
    /** Mobile codes a member's phone may have (the register import uses the same variable). */
    PHONE_MOBILE_CODES: mobileCodes.default([...KZ_MOBILE_CODES]),
    SMS_PROVIDER: smsProvider,
    SMS_HTTP_URL: z.string().url().optional(),
    SMS_HTTP_TOKEN: z.string().optional(),
    /**
     * With SMS_PROVIDER=rehearsal: the secret `pnpm loadtest` sends (x-rehearsal-token) to
     * read what the rehearsal provider delivered to synthetic members (docs/loadtest.md).
     */
    REHEARSAL_TOKEN: z.string().min(32, 'at least 32 characters').optional(),
    SMS_HTTP_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
    /** Messages per second the SMS provider accepts: the `sms` queue's rate limiter. */
    SMS_RATE_PER_SECOND: z.coerce.number().int().min(1).default(500),
    /** Members one client address may authorize in one election (2020 rule: 1). */
    AUTH_MAX_MEMBERS_PER_IP: z.coerce.number().int().min(1).default(1),
    /** Shared addresses exempt from the one-IP rule, such as polling stations (CIDR list). */
    AUTH_IP_ALLOWLIST: cidrList.default([]),
    AUTH_CODE_TTL_SECONDS: z.coerce.number().int().min(30).default(300),
    AUTH_CODE_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(5),
    AUTH_RESEND_SECONDS: z.coerce.number().int().min(0).default(60),
    AUTH_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).default(3600),
    /** Code requests allowed per IIN and per address per hour (domain limits, in the service). */
    AUTH_CODES_PER_IIN_PER_HOUR: z.coerce.number().int().min(1).default(5),
    AUTH_CODES_PER_IP_PER_HOUR: z.coerce.number().int().min(1).default(20),
    /** Votes waiting in the queue above which the vote site answers 503 + Retry-After. */
    VOTE_BACKLOG_LIMIT: z.coerce.number().int().min(1).default(200_000),
    VOTE_BATCH_MAX: z.coerce.number().int().min(1).max(5000).default(500),
    /** A vote claim not confirmed (its batch queued) within this long is released by the worker's sweep; the same on vote and worker. */
    VOTE_CLAIM_TIMEOUT_SECONDS: z.coerce.number().int().min(1).default(60),
    /** Keys that seal each contest ballot before it is queued (the first one seals). */
    BALLOT_KEYS: ballotKeys.optional(),
    /** The party hotline: on the voter site and in the sign-in SMS ("if this wasn't you, call …"). */
    HOTLINE_PHONE: z.string().trim().min(3).max(32).regex(/^[+\d][\d\s()-]*$/, 'a phone number').default('+7 700 000 00 00'),
    /** Where the results portal is, for the voter site's links. */
    RESULTS_URL: z.string().url().default('http://localhost:8080/'),
    /**
     * The server secret one-time codes are hashed with (HMAC-SHA256 of challenge id and
     * code): a copy of Redis does not give the codes away. Required in production; the
     * same on every vote instance.
     */
    AUTH_CODE_PEPPER: z.string().min(32, 'at least 32 characters').optional(),
  })
  .transform(withTrustedProxies)
  .transform(withBallotKeys)
  .superRefine((c, ctx) => {
    requireBallotKeysInProduction(c, ctx);
    refuseDevelopmentSms(c, ctx);
    if (c.SMS_PROVIDER === 'http' && !c.SMS_HTTP_URL) {
      ctx.addIssue({ code: 'custom', path: ['SMS_HTTP_URL'], message: 'SMS_HTTP_URL is required when SMS_PROVIDER=http' });
    }
    if (c.SMS_PROVIDER === 'rehearsal' && !c.REHEARSAL_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['REHEARSAL_TOKEN'], message: 'required when SMS_PROVIDER=rehearsal (a random secret of 32+ characters)' });
    }
    if (!c.AUTH_CODE_PEPPER && c.NODE_ENV === 'production') {
      ctx.addIssue({ code: 'custom', path: ['AUTH_CODE_PEPPER'], message: 'required when NODE_ENV=production (a random secret of 32+ characters)' });
    }
  })
  // Outside production a known development pepper stands in; the vote service warns of it.
  .transform((c) => ({ ...c, AUTH_CODE_PEPPER: c.AUTH_CODE_PEPPER ?? DEVELOPMENT_CODE_PEPPER }));

/** The stand-in AUTH_CODE_PEPPER outside production: known to all, so never a secret. */
export const DEVELOPMENT_CODE_PEPPER = 'development-only-code-pepper-not-a-secret';

export const resultsSchema = z.object({
  ...common,
  RESULTS_PORT: z.coerce.number().int().min(1).max(65535).default(3002),
  RESULTS_BIND: z.string().default('127.0.0.1'),
  /** Seconds between polls of Redis for a new snapshot, in case a notification was missed. */
  RESULTS_POLL_SECONDS: z.coerce.number().int().min(1).default(15),
  /** Where members vote (the vote host), for the results portal's link. */
  VOTE_URL: z.string().url().default('http://vote.localhost:8080/'),
  /**
   * Signs the complaint form's proof-of-work challenges (issue #14; the same on every results
   * instance). Required in production; outside it a publicly known development secret stands in.
   */
  COMPLAINT_POW_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  /** Complaints per client address per hour on the results site. */
  COMPLAINT_RATE_PER_HOUR: z.coerce.number().int().min(1).default(5),
});

/** The stand-in COMPLAINT_POW_SECRET outside production: known to all, so never a secret. */
export const DEVELOPMENT_POW_SECRET = 'development-only-complaint-pow-secret-not-a-secret';

export const workerSchema = z.object({
  ...common,
  ...database,
  WORKER_PORT: z.coerce.number().int().min(1).max(65535).default(3003),
  WORKER_BIND: z.string().default('127.0.0.1'),
  /** Overrides the election's results refresh interval (seconds, 1 and up). */
  RESULTS_REFRESH_SECONDS: z.coerce.number().int().min(1).optional(),
  VOTE_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  SMS_PROVIDER: smsProvider,
  SMS_HTTP_URL: z.string().url().optional(),
  SMS_HTTP_TOKEN: z.string().optional(),
  SMS_HTTP_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
  SMS_RATE_PER_SECOND: z.coerce.number().int().min(1).default(500),
  /** Keys that open sealed ballots at the release (every key listed; the first also seals). */
  BALLOT_KEYS: ballotKeys.optional(),
  /** K: sealed ballots of a contest are released into `ballots` in shuffled groups of at least K. */
  BALLOT_RELEASE_MIN: z.coerce.number().int().min(1).default(100),
  /** Sealed ballots per contest kept back while voting goes on (default K), so that the last group at the close has K too. */
  BALLOT_RELEASE_RESERVE: z.coerce.number().int().min(0).optional(),
  /** Dead-lettered vote batches are purged after this long. */
  DEAD_LETTER_TTL_SECONDS: z.coerce.number().int().min(60).default(7 * 86400),
  /** Vote claims unconfirmed this long are released (their vote service died before queueing them). */
  VOTE_CLAIM_TIMEOUT_SECONDS: z.coerce.number().int().min(1).default(60),
  /** The election's Ed25519 key that signs every results snapshot (issue #16): `id:base64(PKCS #8 DER)`. */
  RESULTS_SIGNING_KEY: signingKey.optional(),
}).transform(withBallotKeys).transform(withSigningKey).transform((c) => ({ ...c, BALLOT_RELEASE_RESERVE: c.BALLOT_RELEASE_RESERVE ?? c.BALLOT_RELEASE_MIN })).superRefine((c, ctx) => {
  requireBallotKeysInProduction(c, ctx);
  if (c.NODE_ENV === 'production' && !c.RESULTS_SIGNING_KEY) {
    ctx.addIssue({ code: 'custom', path: ['RESULTS_SIGNING_KEY'], message: 'required when NODE_ENV=production (id:base64 PKCS #8 Ed25519 key, docs/verification.md)' });
  }
  refuseDevelopmentSms(c, ctx);
  if (c.SMS_PROVIDER === 'http' && !c.SMS_HTTP_URL) {
    ctx.addIssue({ code: 'custom', path: ['SMS_HTTP_URL'], message: 'SMS_HTTP_URL is required when SMS_PROVIDER=http' });
  }
});

export const adminSchema = z
  .object({
    ...common,
    ...database,
    ADMIN_PORT: z.coerce.number().int().min(1).max(65535).default(3004),
    ADMIN_BIND: z.string().default('127.0.0.1'),
    TRUSTED_PROXIES: cidrList.optional(),
    /** The officials' site as staff reach it: enrolment links and the cookie's Secure flag follow it. */
    ADMIN_PUBLIC_URL: z.string().url().default('http://admin.localhost:8080/'),
    /**
     * Signs the console's session cookies (HMAC). Required in production; the same on every
     * admin instance. Outside production a publicly known development secret stands in.
     */
    ADMIN_SECRET: z.string().min(32, 'at least 32 characters').optional(),
    /** A session ends after this long without a request… */
    ADMIN_SESSION_IDLE_SECONDS: z.coerce.number().int().min(30).default(30 * 60),
    /** …and this long after sign-in in any case. */
    ADMIN_SESSION_MAX_SECONDS: z.coerce.number().int().min(60).default(12 * 3600),
    /** How long an enrolment link works. */
    ADMIN_ENROL_TTL_SECONDS: z.coerce.number().int().min(60).default(72 * 3600),
    /** Failed sign-ins in a row after which an account is locked for ADMIN_LOCKOUT_SECONDS. */
    ADMIN_LOCKOUT_AFTER: z.coerce.number().int().min(1).default(5),
    ADMIN_LOCKOUT_SECONDS: z.coerce.number().int().min(1).default(15 * 60),
    /** Requests per client address per minute at the admin service itself (behind the gateway's limit). */
    ADMIN_RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(300),
    /** Sign-in attempts per client address per 15 minutes. */
    ADMIN_SIGNIN_RATE_MAX: z.coerce.number().int().min(1).default(30),
    /**
     * Encrypt staff TOTP secrets at rest (AES-256-GCM): `id:base64key[,id:base64key…]`, 32
     * random bytes each (the BALLOT_KEYS format); the first encrypts, every one listed opens.
     * Required in production; outside it a publicly known development key stands in.
     */
    ADMIN_TOTP_KEYS: ballotKeys.optional(),
  })
  .transform(withTrustedProxies)
  .superRefine((c, ctx) => {
    if (!c.ADMIN_SECRET && c.NODE_ENV === 'production') {
      ctx.addIssue({ code: 'custom', path: ['ADMIN_SECRET'], message: 'required when NODE_ENV=production (a random secret of 32+ characters)' });
    }
    if (!c.ADMIN_TOTP_KEYS && c.NODE_ENV === 'production') {
      ctx.addIssue({ code: 'custom', path: ['ADMIN_TOTP_KEYS'], message: 'required when NODE_ENV=production (id:base64key[,…], 32-byte keys)' });
    }
  })
  .transform((c) => ({ ...c, ADMIN_SECRET: c.ADMIN_SECRET ?? DEVELOPMENT_ADMIN_SECRET, ADMIN_TOTP_KEYS: c.ADMIN_TOTP_KEYS ?? developmentTotpKeys() }));

/**
 * The stand-in ADMIN_TOTP_KEYS outside production: derived from a sentence in this file, so
 * known to all; it keeps development working and protects nothing.
 */
function developmentTotpKeys(): BallotKey[] {
  const key = createHash('sha256').update('primaries: publicly known development TOTP secret key, never for a real election').digest();
  return [{ id: DEVELOPMENT_BALLOT_KEY_ID, key }];
}

/** The stand-in ADMIN_SECRET outside production: known to all, so never a secret. */
export const DEVELOPMENT_ADMIN_SECRET = 'development-only-admin-secret-not-a-secret';

export type GatewayConfig = Readonly<z.infer<typeof gatewaySchema>>;
export type VoteConfig = Readonly<z.infer<typeof voteSchema>>;
export type ResultsConfig = Readonly<z.infer<typeof resultsSchema>>;
export type WorkerConfig = Readonly<z.infer<typeof workerSchema>>;
export type AdminConfig = Readonly<z.infer<typeof adminSchema>>;

export const schemas = { gateway: gatewaySchema, vote: voteSchema, results: resultsSchema, worker: workerSchema, admin: adminSchema } as const;
export type ServiceName = keyof typeof schemas;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

/** Parses and freezes one service's configuration; throws ConfigError naming every bad variable. */
export function loadConfig<S extends ServiceName>(service: S, env: Env = process.env): Readonly<z.infer<(typeof schemas)[S]>> {
  // Empty strings mean "unset", as in most shells' `FOO= cmd`.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schemas[service].safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`invalid ${service} configuration:\n${lines.join('\n')}`);
  }
  return Object.freeze(result.data) as Readonly<z.infer<(typeof schemas)[S]>>;
}

/** The Redis settings every service has (a URL alone also names a Redis: tests and tools pass one). */
export type RedisSettings =
  | string
  | Readonly<Pick<z.infer<z.ZodObject<typeof common>>, 'REDIS_URL' | 'REDIS_SENTINELS' | 'REDIS_SENTINEL_NAME' | 'REDIS_SENTINEL_PASSWORD'>>;

/** What an ioredis client needs beyond REDIS_URL to connect through Sentinel (names as ioredis spells them). */
export interface SentinelOptions {
  sentinels?: { host: string; port: number }[];
  name?: string;
  sentinelPassword?: string;
}

/**
 * ioredis options that route a client through Sentinel when REDIS_SENTINELS is set, and
 * nothing otherwise. ioredis then asks the sentinels for the master, reconnects to the new
 * one after a failover, and still takes the password and database from REDIS_URL.
 */
export function redisSentinelOptions(settings: RedisSettings): SentinelOptions {
  if (typeof settings === 'string' || !settings.REDIS_SENTINELS?.length) return {};
  return {
    sentinels: settings.REDIS_SENTINELS.map((s) => ({ host: s.host, port: s.port })),
    name: settings.REDIS_SENTINEL_NAME,
    ...(settings.REDIS_SENTINEL_PASSWORD ? { sentinelPassword: settings.REDIS_SENTINEL_PASSWORD } : {}),
  };
}

/** PHONE_MOBILE_CODES for commands (the register import), with the same validation as the services. */
export function mobileCodesFromEnv(env: Env = process.env): string[] {
  const raw = env.PHONE_MOBILE_CODES;
  if (!raw) return [...KZ_MOBILE_CODES];
  const r = mobileCodes.safeParse(raw);
  if (!r.success) throw new ConfigError(`invalid PHONE_MOBILE_CODES: ${r.error.issues[0]?.message ?? 'bad value'}`);
  return r.data;
}

/** The environment variable names a service reads (for the table in docs/configuration.md and compose checks). */
export function configKeys(service: ServiceName): string[] {
  const obj = unwrapObject(schemas[service]);
  return Object.keys(obj.shape);
}

function unwrapObject(schema: z.ZodType): z.ZodObject {
  // z.object(...).transform(...) is a ZodPipe whose `in` is the object; superRefine keeps the type.
  let cur: unknown = schema;
  for (let i = 0; i < 5; i++) {
    if (cur instanceof z.ZodObject) return cur;
    const def = (cur as { def?: { in?: unknown; innerType?: unknown; schema?: unknown } }).def;
    cur = def?.in ?? def?.innerType ?? def?.schema;
  }
  throw new Error('config schema is not an object');
}

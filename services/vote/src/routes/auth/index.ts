import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { Counter } from 'prom-client';
import { z } from 'zod';
import { DEVELOPMENT_CODE_PEPPER } from '@primaries/config';
import { recordAuthorization } from '@primaries/db';
import { checkEligibility, isValidIin, normalizePhone } from '@primaries/domain';
import { smsCodeText } from '@primaries/queue';
import { errorBody } from '@primaries/service-kit';
import { ChallengeStore, CHALLENGE_ID_PATTERN } from '../../auth/challenges';
import { ElectionCache } from '../../auth/election-cache';
import { IpRule, addressNetwork, unmapIpv4 } from '../../auth/ip-rule';
import { MemberLookup } from '../../auth/member-lookup';
import { TimingFloor } from '../../auth/timing';
import { VoteErrors } from '../../errors';
import { type Session, issueToken, revokeToken } from '@primaries/redis-protocols';
import { OUTAGE_RETRY_AFTER_SECONDS } from '@primaries/service-kit';
import { queueSignInNotice } from '../../sms/sign-in-notice';
import { smsQueuePlugin } from '../../sms/sms-queue';
import { type MemberPlace, electionCacheFor } from '../../voting/election-cache';

// A malformed IIN (bad checksum) or a number that is no Kazakh mobile is refused with
// 400: that says something about the input, nothing about membership.
function codeBodySchema(codes: readonly string[]) {
  return z.object({
    iin: z.string().regex(/^\d{12}$/, 'IIN is 12 digits').refine(isValidIin, 'IIN check digit is wrong'),
    phone: z.string().max(32).refine((p) => normalizePhone(p, codes) !== null, 'not a Kazakh mobile number'),
  });
}
const codeAccepted = z.object({
  challengeId: z.string(),
  expiresInSeconds: z.number().int(),
  resendInSeconds: z.number().int(),
});
const verifyBody = z.object({
  challengeId: z.string().regex(CHALLENGE_ID_PATTERN, 'unknown challenge id format'),
  code: z.string().regex(/^\d{6}$/, 'the code is 6 digits'),
});
const verified = z.object({ token: z.string(), expiresAt: z.string() });
const invalidCode = z.object({ error: z.object({ code: z.string(), message: z.string(), remainingAttempts: z.number().int() }) });

/** Attaches a Retry-After (seconds) that the error handler sends as a header. */
function retryLater<E extends Error>(err: E, seconds: number): E {
  return Object.assign(err, { retryAfter: Math.max(1, Math.ceil(seconds)) });
}

/**
 * A 503 answered here rather than thrown: the shared error handler logs every 5xx with its
 * stack, which under a storm being shed would cost more than the answer itself.
 */
function shed(reply: FastifyReply, err: Error & { code: string }, seconds: number) {
  return reply
    .code(503)
    .header('retry-after', String(Math.max(1, Math.ceil(seconds))))
    .send(errorBody(reply.request, reply, err));
}

/**
 * Our own catalogue errors pass through; anything else is 503 + Retry-After: a store away
 * is logged once for the whole outage (app.outages), any other failure as one line here.
 */
function unavailable(request: FastifyRequest, reply: FastifyReply, err: unknown) {
  if (err instanceof Error && typeof (err as { statusCode?: unknown }).statusCode === 'number') throw err;
  request.server.outages.reportOrLog(err, request.log, 'authorization backend unavailable');
  return shed(reply, new VoteErrors.UNAVAILABLE(), OUTAGE_RETRY_AFTER_SECONDS);
}

/**
 * What the token stands for. An active member's place goes in too (it also warms this
 * instance's member cache), so a vote is accepted while Postgres is away.
 */
function sessionOf(r: { memberId: string; electionId: number }, ip: string, place: MemberPlace | null): Omit<Session, 'issuedAt'> {
  const session = { memberId: r.memberId, electionId: r.electionId, ip };
  return place?.status === 'active' ? { ...session, place: { regionId: place.regionId, districtId: place.districtId } } : session;
}

/**
 * POST /api/v1/auth/code and /api/v1/auth/verify (docs/auth.md): IIN + registered phone
 * → one-time code by SMS → bearer token. Rules and limits: docs/auth.md.
 */
export default async function authRoutes(parent: FastifyInstance): Promise<void> {
  await parent.register(smsQueuePlugin);
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const config = app.config;
  const store = new ChallengeStore(app.redis, app.redisPrefix, {
    ttlSeconds: config.AUTH_CODE_TTL_SECONDS,
    resendSeconds: config.AUTH_RESEND_SECONDS,
    codesPerMemberPerHour: config.AUTH_CODES_PER_IIN_PER_HOUR,
    maxMembersPerIp: config.AUTH_MAX_MEMBERS_PER_IP,
    maxAttempts: config.AUTH_CODE_MAX_ATTEMPTS,
  }, config.AUTH_CODE_PEPPER);
  if (config.AUTH_CODE_PEPPER === DEVELOPMENT_CODE_PEPPER) app.log.warn('AUTH_CODE_PEPPER is not set: codes are hashed with the known development pepper (refused in production)');
  const ipRule = new IpRule(app.redis, app.redisPrefix, config.AUTH_MAX_MEMBERS_PER_IP, config.AUTH_IP_ALLOWLIST);
  const elections = new ElectionCache(app.db);
  app.onElectionChange(() => elections.forget());
  const members = new MemberLookup(app.db);
  const timing = new TimingFloor();
  const voting = electionCacheFor(app.db);

  const codeOutcomes = new Counter({
    name: 'auth_code_requests_total',
    help: 'POST /auth/code by outcome (every refusal of an IIN/phone/eligibility is one outcome, rejected: no membership oracle)',
    labelNames: ['outcome'],
    registers: [app.metrics],
  });
  const verifyOutcomes = new Counter({
    name: 'auth_verify_requests_total',
    help: 'POST /auth/verify by outcome',
    labelNames: ['outcome'],
    registers: [app.metrics],
  });

  app.post(
    '/code',
    {
      // Besides the common statuses (service-kit docs.ts): listed in the OpenAPI document.
      config: { statuses: [403] },
      schema: {
        summary: 'Send a one-time code to the member\'s registered phone',
        body: codeBodySchema(app.config.PHONE_MOBILE_CODES),
        response: { 202: codeAccepted },
      },
    },
    async (request, reply) => {
      const startedAt = performance.now();
      const phone = normalizePhone(request.body.phone, app.config.PHONE_MOBILE_CODES)!;
      const ip = unmapIpv4(request.ip);
      try {
        // Shed load first: a storm queues at the client, not in the SMS queue.
        const wait = app.smsQueue.retryAfterSeconds();
        if (wait > 0) {
          codeOutcomes.inc({ outcome: 'sms_busy' });
          return shed(reply, new VoteErrors.SMS_BUSY(), wait);
        }
        const election = await elections.get();
        if (!election) throw new VoteErrors.NO_ELECTION();

        const allowlisted = ipRule.isAllowlisted(ip);
        if (!allowlisted) {
          const ms = await store.hitAddress(addressNetwork(ip), config.AUTH_CODES_PER_IP_PER_HOUR);
          if (ms > 0) {
            codeOutcomes.inc({ outcome: 'ip_limit' });
            throw retryLater(new VoteErrors.CODE_LIMIT(), ms / 1000);
          }
        }

        const member = await members.find(request.body.iin);
        const verdict = checkEligibility(member, election, phone);
        if (!verdict.eligible || !member) {
          // One outcome for every reason: a metric that told them apart would be the membership
          // oracle the single 403 avoids (issue #8).
          codeOutcomes.inc({ outcome: 'rejected' });
          await timing.pad(startedAt);
          throw new VoteErrors.AUTH_REJECTED();
        }

        // Past this point the caller has shown a real IIN with its registered phone, so
        // the answers below reveal nothing a 202 would not.
        const issued = await store.issue(member.id, election.id, addressNetwork(ip), allowlisted);
        if (issued.kind === 'ip') {
          codeOutcomes.inc({ outcome: 'ip_in_use' });
          throw new VoteErrors.IP_IN_USE();
        }
        if (issued.kind === 'cool') {
          codeOutcomes.inc({ outcome: 'resend_too_soon' });
          throw retryLater(new VoteErrors.RESEND_TOO_SOON(), issued.retryAfterMs / 1000);
        }
        if (issued.kind === 'limit') {
          codeOutcomes.inc({ outcome: 'member_limit' });
          throw retryLater(new VoteErrors.CODE_LIMIT(), issued.retryAfterMs / 1000);
        }

        try {
          await app.smsQueue.enqueue(issued.challengeId, {
            to: member.phone,
            text: smsCodeText(issued.code),
            expiresAt: Date.now() + config.AUTH_CODE_TTL_SECONDS * 1000,
          });
        } catch (err) {
          // Nothing half-written: without a queued SMS the challenge and cooldown go too.
          await store.withdraw(issued.challengeId, member.id).catch(() => undefined);
          throw err;
        }
        codeOutcomes.inc({ outcome: 'sent' });
        timing.observe(startedAt);
        reply.code(202);
        return { challengeId: issued.challengeId, expiresInSeconds: config.AUTH_CODE_TTL_SECONDS, resendInSeconds: config.AUTH_RESEND_SECONDS };
      } catch (err) {
        return unavailable(request, reply, err);
      }
    },
  );

  app.post(
    '/verify',
    {
      config: { statuses: [403, 410] },
      schema: {
        summary: 'Exchange the one-time code for a bearer token',
        body: verifyBody,
        response: { 200: verified, 401: invalidCode },
      },
    },
    async (request, reply) => {
      const { challengeId, code } = request.body;
      const ip = unmapIpv4(request.ip);
      try {
        const result = await store.attempt(challengeId, code);
        if (result.kind === 'expired') {
          verifyOutcomes.inc({ outcome: 'expired' });
          throw new VoteErrors.CODE_EXPIRED();
        }
        if (result.kind === 'locked') {
          verifyOutcomes.inc({ outcome: 'locked' });
          throw new VoteErrors.CODE_LOCKED();
        }
        if (result.kind === 'invalid') {
          verifyOutcomes.inc({ outcome: 'invalid' });
          const err = new VoteErrors.CODE_INVALID(result.remaining);
          return reply.code(401).send(errorBody(request, reply, err, { remainingAttempts: result.remaining }));
        }

        const election = await elections.get();
        const closesAt = election?.id === result.electionId ? election.closes_at.getTime() : Date.now();
        const bindTtl = Math.max(0, Math.ceil((closesAt - Date.now()) / 1000)) + 7 * 86400;
        // Checked again here, atomically: two members racing from one address both got codes.
        if (!(await ipRule.bind(app.db, result.electionId, result.memberId, ip, bindTtl))) {
          verifyOutcomes.inc({ outcome: 'ip_in_use' });
          throw new VoteErrors.IP_IN_USE();
        }
        // The record and the token stand or fall together: the row commits only once the
        // token is stored, and a token whose row failed to commit is revoked.
        const session = sessionOf(result, ip, await voting.member(result.memberId));
        let issued: { token: string; expiresAt: Date } | undefined;
        try {
          await app.db.transaction().execute(async (trx) => {
            await recordAuthorization(trx, {
              electionId: result.electionId,
              memberId: result.memberId,
              ip,
              userAgent: request.headers['user-agent'] ?? null,
            });
            issued = await issueToken(app.redis, app.redisPrefix, session, config.AUTH_TOKEN_TTL_SECONDS);
          });
        } catch (err) {
          if (issued) await revokeToken(app.redis, app.redisPrefix, issued.token).catch(() => undefined);
          throw err;
        }
        const { token, expiresAt } = issued!;
        verifyOutcomes.inc({ outcome: 'ok' });
        await queueSignInNotice(app, result.memberId, challengeId);
        return { token, expiresAt: expiresAt.toISOString() };
      } catch (err) {
        return unavailable(request, reply, err);
      }
    },
  );
}

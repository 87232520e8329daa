import type { FastifyInstance } from 'fastify';
import { findMemberPhone } from '@primaries/db';
import { smsSignInNoticeText } from '@primaries/queue';

/** A notice still queued after an hour is old news: the worker drops it rather than send it late. */
const NOTICE_TTL_MS = 3600_000;

/**
 * Queues "signed in at HH:MM; if this wasn't you, call …" to the member's registered phone
 * after a successful sign-in, through the same `sms` queue as the codes. A member whose code
 * was taken by an employer or a thief learns of it (the 2020 abuse). The sign-in stands if
 * the notice cannot be queued: it is logged (no phone, no member id) and counted.
 */
export async function queueSignInNotice(app: FastifyInstance, memberId: string | number, challengeId: string): Promise<boolean> {
  try {
    const phone = await findMemberPhone(app.db, memberId);
    if (!phone) return false;
    await app.smsQueue.enqueue(`signin-${challengeId}`, { to: phone, text: smsSignInNoticeText(new Date(), app.config.HOTLINE_PHONE), expiresAt: Date.now() + NOTICE_TTL_MS });
    return true;
  } catch (err) {
    app.log.warn({ err: { message: (err as Error).message } }, 'sign-in notice not queued');
    return false;
  }
}

import type { FastifyRequest } from 'fastify';
import Negotiator from 'negotiator';
import { LANGUAGES, type Lang } from '@primaries/i18n';

const cache = new Map<string, Lang | null>();

/**
 * The language an API answer is given in, from `Accept-Language` (kk, ru or en; `ru-RU`
 * counts as ru), or null when the client named none of them: the answer then keeps the
 * catalogue's default words. Memoised per header value, as browsers send a handful.
 */
export function requestLanguage(request: FastifyRequest): Lang | null {
  const header = request.headers['accept-language'];
  if (!header) return null;
  const hit = cache.get(header);
  if (hit !== undefined) return hit;
  const lang = (new Negotiator({ headers: { 'accept-language': header } }).language([...LANGUAGES]) as Lang | undefined) ?? null;
  if (cache.size < 512) cache.set(header, lang);
  return lang;
}

import { Writable } from 'node:stream';
import pino from 'pino';
import { loggerOptions, safeUrl } from '../src';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, logger: pino(loggerOptions('test', 'info'), stream) };
}

describe('logger redaction', () => {
  it('never writes IINs, phones, codes, tokens or choices', () => {
    const { lines, logger } = capture();
    logger.info({ iin: '791028302728', phone: '+77012345678', code: '123456', token: 'abcdefabcdef' }, 'auth');
    logger.info({ body: { iin: '880229400003', phone: '+77011111111' } }, 'body');
    logger.info({ vote: { selections: [{ contestId: 1, candidateIds: [7, 8] }] } }, 'vote');
    logger.info({ req: { method: 'GET', url: '/api/v1/dev/sms?phone=+77012345678', headers: { authorization: 'Bearer secret' } } }, 'req');
    const out = lines.join('\n');
    for (const secret of ['791028302728', '+77012345678', '123456', 'abcdefabcdef', '880229400003', '+77011111111', 'candidateIds', 'Bearer secret']) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('/api/v1/dev/sms?…');
  });

  it('strips query strings', () => {
    expect(safeUrl('/a?b=c')).toBe('/a?…');
    expect(safeUrl('/a')).toBe('/a');
  });
});

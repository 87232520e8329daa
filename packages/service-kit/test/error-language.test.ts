import Fastify from 'fastify';
import { defineError, errorBody, errorHandlerPlugin } from '../src';

// The vote site's code, defined here with its default English words: the catalogue has it.
const CodeInvalid = defineError('VOTE_ERR_CODE_INVALID', 'Wrong code; %s attempts left', 401);

async function build() {
  const app = Fastify();
  await app.register(errorHandlerPlugin, { prefix: 'VOTE' });
  app.get('/invalid', async () => {
    throw new CodeInvalid(2);
  });
  app.get('/direct', async (request, reply) => reply.code(401).send(errorBody(request, reply, new CodeInvalid(4), { remainingAttempts: 4 })));
  app.get('/boom', async () => {
    throw new Error('secret internals');
  });
  await app.ready();
  return app;
}

describe('error messages in the client language', () => {
  it('answers the catalogue words for Accept-Language, the same code, and the default words without it', async () => {
    const app = await build();
    const ask = async (url: string, lang?: string) => {
      const res = await app.inject({ url, headers: lang ? { 'accept-language': lang } : {} });
      return { status: res.statusCode, vary: res.headers.vary, ...res.json<{ error: { code: string; message: string; remainingAttempts?: number } }>().error };
    };
    expect(await ask('/invalid')).toEqual({ status: 401, vary: 'Accept-Language', code: 'VOTE_ERR_CODE_INVALID', message: 'Wrong code; 2 attempts left' });
    expect(await ask('/invalid', 'ru-RU,ru;q=0.9,en;q=0.5')).toMatchObject({ code: 'VOTE_ERR_CODE_INVALID', message: 'Неверный код; осталось попыток: 2' });
    expect(await ask('/invalid', 'kk')).toMatchObject({ code: 'VOTE_ERR_CODE_INVALID', message: 'Код қате; қалған әрекет саны: 2' });
    expect(await ask('/invalid', 'de')).toMatchObject({ message: 'Wrong code; 2 attempts left' });
    expect(await ask('/direct', 'ru')).toMatchObject({ code: 'VOTE_ERR_CODE_INVALID', message: 'Неверный код; осталось попыток: 4', remainingAttempts: 4 });
    expect(await ask('/nowhere', 'kk')).toMatchObject({ status: 404, code: 'VOTE_ERR_NOT_FOUND', message: 'Табылмады' });
    // A 5xx never shows its cause, in any language.
    expect(await ask('/boom', 'ru')).toMatchObject({ status: 500, code: 'VOTE_ERR_INTERNAL', message: 'Внутренняя ошибка' });
    expect(await ask('/boom')).toMatchObject({ message: 'Internal error' });
    await app.close();
  });
});

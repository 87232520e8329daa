import { loadConfig } from '@primaries/config';
import { loggerOptions } from '@primaries/logger';
import { listenWithGrace } from '@primaries/service-kit';
import { buildVoteApp } from './app';

async function main() {
  const config = loadConfig('vote');
  const app = await buildVoteApp(config, {}, { logger: loggerOptions('vote', config.LOG_LEVEL) });
  await listenWithGrace(app, { port: config.VOTE_PORT, host: config.VOTE_BIND });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

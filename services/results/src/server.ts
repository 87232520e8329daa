import { loadConfig } from '@primaries/config';
import { loggerOptions } from '@primaries/logger';
import { listenWithGrace } from '@primaries/service-kit';
import { buildResultsApp } from './app';

async function main() {
  const config = loadConfig('results');
  const app = await buildResultsApp(config, {}, { logger: loggerOptions('results', config.LOG_LEVEL) });
  await listenWithGrace(app, { port: config.RESULTS_PORT, host: config.RESULTS_BIND });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

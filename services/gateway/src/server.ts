import { loadConfig } from '@primaries/config';
import { loggerOptions } from '@primaries/logger';
import { listenWithGrace } from '@primaries/service-kit';
import { buildGatewayApp } from './app';

async function main() {
  const config = loadConfig('gateway');
  const app = await buildGatewayApp(config, {}, { logger: loggerOptions('gateway', config.LOG_LEVEL) });
  await listenWithGrace(app, { port: config.GATEWAY_PORT, host: config.GATEWAY_BIND });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

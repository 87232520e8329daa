import { DEVELOPMENT_BALLOT_KEY_ID, loadConfig } from '@primaries/config';
import { loggerOptions } from '@primaries/logger';
import { listenWithGrace } from '@primaries/service-kit';
import { buildAdminApp } from './app';

async function main() {
  const config = loadConfig('admin');
  const app = await buildAdminApp(config, {}, { logger: loggerOptions('admin', config.LOG_LEVEL) });
  if (config.ADMIN_SECRET.startsWith('development-only')) app.log.warn('ADMIN_SECRET is not set: sessions are signed with a publicly known development secret');
  if (config.ADMIN_TOTP_KEYS[0]?.id === DEVELOPMENT_BALLOT_KEY_ID) app.log.warn('ADMIN_TOTP_KEYS is not set: staff TOTP secrets are encrypted with a publicly known development key');
  await listenWithGrace(app, { port: config.ADMIN_PORT, host: config.ADMIN_BIND });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

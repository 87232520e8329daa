import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configKeys } from '@primaries/config';
import { ADMIN_ERROR_CODES } from '../src/errors';

// STYLE.md habit 4: the one list of error codes (docs/api.md) and of settings (docs/configuration.md).
describe('docs/api.md and docs/configuration.md', () => {
  const codes = readFileSync(join(__dirname, '../../../docs/api.md'), 'utf8');
  const settings = readFileSync(join(__dirname, '../../../docs/configuration.md'), 'utf8');
  it.each([...ADMIN_ERROR_CODES])('lists %s', (code) => expect(codes).toContain(`\`${code}\``));
  it.each(configKeys('admin'))('documents %s', (key) => expect(settings).toContain(`\`${key}\``));
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configKeys } from '@primaries/config';
import { ADMIN_ERROR_CODES } from '../src/errors';

// STYLE.md habit 4: the docs list every code and every setting.
describe('docs/admin.md', () => {
  const doc = readFileSync(join(__dirname, '../../../docs/admin.md'), 'utf8');
  it.each([...ADMIN_ERROR_CODES])('lists %s', (code) => expect(doc).toContain(`\`${code}\``));
  it.each(configKeys('admin'))('documents %s', (key) => expect(doc).toContain(`\`${key}\``));
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configKeys } from '@primaries/config';
import { GATEWAY_ERROR_CODES } from '../src/errors';

// STYLE.md habit 4: a test checks the docs list every code (and here, every setting).
describe('docs/readme/gateway.md', () => {
  const doc = readFileSync(join(__dirname, '../../../docs/readme/gateway.md'), 'utf8');

  it.each([...GATEWAY_ERROR_CODES, 'GATEWAY_ERR_RATE_LIMITED'])('lists %s', (code) => {
    expect(doc).toContain(code);
  });

  it.each(configKeys('gateway'))('documents %s', (key) => {
    expect(doc).toContain(key);
  });
});

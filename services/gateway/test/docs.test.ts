import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configKeys } from '@primaries/config';
import { GATEWAY_ERROR_CODES } from '../src/errors';

// A test checks the docs list every code (and here, every setting).
// The one list of error codes (docs/api.md) and of settings (docs/configuration.md).
describe('docs/api.md and docs/configuration.md', () => {
  const codes = readFileSync(join(__dirname, '../../../docs/api.md'), 'utf8');
  const settings = readFileSync(join(__dirname, '../../../docs/configuration.md'), 'utf8');

  it.each([...GATEWAY_ERROR_CODES, 'GATEWAY_ERR_RATE_LIMITED'])('lists %s', (code) => {
    expect(codes).toContain(code);
  });

  it.each(configKeys('gateway'))('documents %s', (key) => {
    expect(settings).toContain(key);
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { commonErrorCodes } from '@primaries/service-kit';
import { ResultsErrorCodes } from '../src/errors';

// The docs list every code a client can see (docs/api.md, the one list).
it('documents every results error code', () => {
  const doc = readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'api.md'), 'utf8');
  const { validation, notFound, internal } = commonErrorCodes('RESULTS');
  for (const code of [...Object.values(ResultsErrorCodes), validation, notFound, internal]) {
    expect(doc).toContain(`\`${code}\``);
  }
});

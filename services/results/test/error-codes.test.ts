import { readFileSync } from 'node:fs';
import path from 'node:path';
import { commonErrorCodes } from '@primaries/service-kit';
import { ResultsErrorCodes } from '../src/errors';

// STYLE.md habit 4: the README lists every code a client can see.
it('documents every results error code', () => {
  const doc = readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'readme', 'results.md'), 'utf8');
  const { validation, notFound, internal } = commonErrorCodes('RESULTS');
  for (const code of [...Object.values(ResultsErrorCodes), validation, notFound, internal]) {
    expect(doc).toContain(`\`${code}\``);
  }
});

// `pnpm test:faults`: the fault suite (faults/*.test.ts), run on its own after `pnpm test`
// (.ci/run): it starts its own Postgres cluster, Redis and services, and takes minutes.
const path = require('node:path');
const base = require('../jest.config.js');
const repo = base.projects.find((p) => p.displayName === 'repo');

/** @type {import('jest').Config} */
module.exports = {
  projects: [{ ...repo, displayName: 'faults', rootDir: __dirname, testMatch: ['<rootDir>/**/*.test.ts'], setupFiles: [path.join(__dirname, '..', 'packages/testing/src/jest-setup.ts')] }],
  testTimeout: 9 * 60_000,
  maxWorkers: 1,
};

// Browser tests (`pnpm test:e2e`): the real stack in child processes, Debian's chromium
// through playwright-core, axe-core in the page. Run one file at a time: each starts a stack.
// Transforms as the main config's (ESM-only packages such as canonicalize compiled by swc).
const path = require('node:path');
const base = require('./jest.config.js');
const repo = base.projects.find((p) => p.displayName === 'repo');

/** @type {import('jest').Config} */
module.exports = {
  displayName: 'e2e',
  rootDir: path.join(__dirname, 'e2e'),
  testMatch: ['<rootDir>/**/*.test.ts'],
  transform: repo.transform,
  transformIgnorePatterns: repo.transformIgnorePatterns,
  testEnvironment: 'node',
  setupFiles: [path.join(__dirname, 'packages/testing/src/jest-setup.ts')],
  testTimeout: 180_000,
  maxWorkers: 1,
};

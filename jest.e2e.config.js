// Browser tests (`pnpm test:e2e`): the real stack in child processes, Debian's chromium
// through playwright-core, axe-core in the page. Run one file at a time: each starts a stack.
const path = require('node:path');

const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }];

/** @type {import('jest').Config} */
module.exports = {
  displayName: 'e2e',
  rootDir: path.join(__dirname, 'e2e'),
  testMatch: ['<rootDir>/**/*.test.ts'],
  transform: { '^.+\\.ts$': swc },
  testEnvironment: 'node',
  setupFiles: [path.join(__dirname, 'packages/testing/src/jest-setup.ts')],
  testTimeout: 180_000,
  maxWorkers: 1,
};

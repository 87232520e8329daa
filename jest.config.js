// One jest run for the whole workspace: every package and service is a project,
// so `pnpm test` at the root runs them all (in parallel workers, each test file
// isolating itself with its own database schema, Redis prefix and queue names).
const dirs = ['packages', 'services'];
const fs = require('node:fs');
const path = require('node:path');

const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }];

const projects = dirs.flatMap((d) =>
  fs.readdirSync(path.join(__dirname, d)).filter((n) => fs.existsSync(path.join(__dirname, d, n, 'test'))).map((n) => ({
    displayName: `${d}/${n}`,
    rootDir: path.join(__dirname, d, n),
    testMatch: ['<rootDir>/test/**/*.test.ts'],
    transform: { '^.+\\.ts$': swc },
    testEnvironment: 'node',
    setupFiles: [path.join(__dirname, 'packages/testing/src/jest-setup.ts')],
  })),
);

/** @type {import('jest').Config} */
module.exports = {
  projects,
  testTimeout: 30000,
  maxWorkers: process.env.CI ? 2 : '50%',
};

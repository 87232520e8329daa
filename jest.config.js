// One jest run for the whole workspace: every package and service is a project,
// so `pnpm test` at the root runs them all (in parallel workers, each test file
// isolating itself with its own database schema, Redis prefix and queue names).
const dirs = ['packages', 'services'];
const fs = require('node:fs');
const path = require('node:path');

const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }];

// Packages whose .js files are ESM ("type": "module"), e.g. cookie@2 under light-my-request:
// jest's CommonJS runtime cannot require() them, so swc compiles them. Found by scanning
// the pnpm store once per run rather than listed by hand.
function esmPackages() {
  const store = path.join(__dirname, 'node_modules/.pnpm');
  const names = new Set();
  if (!fs.existsSync(store)) return [];
  for (const entry of fs.readdirSync(store)) {
    const nm = path.join(store, entry, 'node_modules');
    if (!fs.existsSync(nm)) continue;
    for (const top of fs.readdirSync(nm)) {
      const dirsToCheck = top.startsWith('@') ? fs.readdirSync(path.join(nm, top)).map((n) => `${top}/${n}`) : [top];
      for (const name of dirsToCheck) {
        try {
          const pkg = JSON.parse(fs.readFileSync(path.join(nm, name, 'package.json'), 'utf8'));
          if (pkg.type === 'module') names.add(name.replace(/[.+]/g, '\\$&'));
        } catch {}
      }
    }
  }
  return [...names];
}
const esmOnly = esmPackages();
const swcJs = ['@swc/jest', { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } }];

const projects = dirs.flatMap((d) =>
  fs.readdirSync(path.join(__dirname, d)).filter((n) => fs.existsSync(path.join(__dirname, d, n, 'test'))).map((n) => ({
    displayName: `${d}/${n}`,
    rootDir: path.join(__dirname, d, n),
    testMatch: ['<rootDir>/test/**/*.test.ts'],
    transform: { '^.+\\.ts$': swc, '^.+\\.m?js$': swcJs },
    transformIgnorePatterns: [`/node_modules/(?!\\.pnpm|(${esmOnly.join('|')})/)`],
    testEnvironment: 'node',
    setupFiles: [path.join(__dirname, 'packages/testing/src/jest-setup.ts')],
  })),
);

// The load-testing kit (loadtest/test): its tests start a stack of their own.
projects.push({
  displayName: 'loadtest',
  rootDir: path.join(__dirname, 'loadtest'),
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: { '^.+\\.ts$': swc, '^.+\\.m?js$': swcJs },
  transformIgnorePatterns: [`/node_modules/(?!\\.pnpm|(${esmOnly.join('|')})/)`],
  testEnvironment: 'node',
  setupFiles: [path.join(__dirname, 'packages/testing/src/jest-setup.ts')],
});

// Repository-wide checks (README against the code, docker-compose against the config).
projects.push({
  displayName: 'repo',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: { '^.+\\.ts$': swc, '^.+\\.m?js$': swcJs },
  transformIgnorePatterns: [`/node_modules/(?!\\.pnpm|(${esmOnly.join('|')})/)`],
  testEnvironment: 'node',
  setupFiles: [path.join(__dirname, 'packages/testing/src/jest-setup.ts')],
});

/** @type {import('jest').Config} */
module.exports = {
  projects,
  testTimeout: 30000,
  maxWorkers: process.env.CI ? 2 : '50%',
};

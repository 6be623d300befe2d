/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // esbuild transpiles; `npm run typecheck` (part of `npm test`) type-checks.
  transform: { '^.+\\.ts$': '<rootDir>/scripts/jest-esbuild.js' },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 120000,
};

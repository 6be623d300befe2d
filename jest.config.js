/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Run separately: end-to-end tests (real control plane) with `npm run test:e2e` (jest.e2e.config.js),
  // the live local stack with `npm run test:live` (jest.live.config.js), the fault suite with
  // `npm run test:faults` (jest.faults.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/', '<rootDir>/test/live/', '<rootDir>/test/faults/'],
  // esbuild transpiles; `npm run typecheck` (part of `npm test`) type-checks.
  transform: { '^.+\\.ts$': '<rootDir>/scripts/jest-esbuild.js' },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 120000,
};

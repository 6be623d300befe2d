/**
 * The fault suite (test/faults): the live local stack (test/live/harness.ts) under failure and load;
 * real processes on 127.0.0.1, faults injected with signals. Run alone: `npm run test:faults`.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/faults'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': '<rootDir>/scripts/jest-esbuild.js' },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // One stack per file, started in beforeAll; each step has its own deadline inside.
  testTimeout: 600000,
  maxWorkers: 1,
  globalSetup: '<rootDir>/test/faults/setup.js',
  globalTeardown: '<rootDir>/test/faults/teardown.js',
};

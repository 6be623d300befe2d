/** @type {import('jest').Config} End-to-end tests on a local control plane (scripts/control-plane.sh). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': '<rootDir>/scripts/jest-esbuild.js' },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // One control plane at a time: 2 cores.
  maxWorkers: 1,
  testTimeout: 600000,
};

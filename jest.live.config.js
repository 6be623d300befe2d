/**
 * The live local stack test (test/live): real Prometheus, Alertmanager, VictoriaMetrics, the
 * OpenTelemetry Collector, VictoriaLogs (the log sink) and the FL workload as processes on 127.0.0.1.
 * Run alone: `npm run test:live`.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/live'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': '<rootDir>/scripts/jest-esbuild.js' },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // One stack for the whole file, started in beforeAll; each step has its own deadline inside.
  testTimeout: 600000,
  maxWorkers: 1,
};

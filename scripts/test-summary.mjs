// Sums jest's JSON report and pytest's JUnit XML into one closing line: `tests: N passed, N failed`.
// Exits 1 when a report is missing or nothing ran.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];

const jestFile = join(dir, 'jest.json');
if (existsSync(jestFile)) {
  const jest = JSON.parse(readFileSync(jestFile, 'utf8'));
  passed += jest.numPassedTests;
  failed += jest.numFailedTests + jest.numRuntimeErrorTestSuites;
  skipped += jest.numPendingTests + jest.numTodoTests;
} else {
  missing.push('jest');
}
const pytestFile = join(dir, 'pytest.xml');
if (existsSync(pytestFile)) {
  const xml = readFileSync(pytestFile, 'utf8');
  const suite = /<testsuite\b[^>]*>/.exec(xml)?.[0] ?? '';
  const attr = (name) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(suite)?.[1] ?? 0);
  const total = attr('tests');
  const bad = attr('failures') + attr('errors');
  const skip = attr('skipped');
  passed += total - bad - skip;
  failed += bad;
  skipped += skip;
} else {
  missing.push('pytest');
}
if (missing.length > 0) {
  console.log(`missing reports: ${missing.join(', ')}`);
}
console.log(`tests: ${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || missing.length > 0 || passed === 0 ? 1 : 0);

// Sums jest's JSON reports and pytest's JUnit XML into one closing line: `tests: N passed, N failed`.
//   node scripts/test-summary.mjs <dir> <report>...   (jest*.json or *.xml file names inside <dir>)
// Exits 1 when a report is missing, something failed or nothing ran.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, ...reports] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];

for (const name of reports) {
  const file = join(dir, name);
  if (!existsSync(file)) {
    missing.push(name);
    continue;
  }
  if (name.endsWith('.json')) {
    const jest = JSON.parse(readFileSync(file, 'utf8'));
    passed += jest.numPassedTests;
    failed += jest.numFailedTests + jest.numRuntimeErrorTestSuites;
    skipped += jest.numPendingTests + jest.numTodoTests;
  } else {
    const xml = readFileSync(file, 'utf8');
    const suite = /<testsuite\b[^>]*>/.exec(xml)?.[0] ?? '';
    const attr = (key) => Number(new RegExp(`\\b${key}="(\\d+)"`).exec(suite)?.[1] ?? 0);
    const bad = attr('failures') + attr('errors');
    const skip = attr('skipped');
    passed += attr('tests') - bad - skip;
    failed += bad;
    skipped += skip;
  }
}
if (missing.length > 0) {
  console.log(`missing reports: ${missing.join(', ')}`);
}
console.log(`tests: ${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || missing.length > 0 || passed === 0 ? 1 : 0);

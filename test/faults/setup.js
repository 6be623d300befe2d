// jest globalSetup of the fault suite: a file the test files append their result rows to
// (test/faults/measure.ts `report`), printed as one table by teardown.js.
const { mkdtempSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flobs-faults-'));
  const file = join(dir, 'results.jsonl');
  writeFileSync(file, '');
  process.env.FLOBS_FAULTS_RESULTS = file;
  process.env.FLOBS_FAULTS_STARTED = String(Date.now());
};

// jest globalTeardown of the fault suite: prints the results table (fault → expected → measured →
// recovery) from the rows the test files appended, and the suite's duration; removes the file.
const { existsSync, readFileSync, rmSync } = require('node:fs');
const { dirname } = require('node:path');

/** Markdown table cell: no pipes or newlines. */
const cell = (text) => String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');

module.exports = async () => {
  const file = process.env.FLOBS_FAULTS_RESULTS;
  if (file === undefined || !existsSync(file)) {
    return;
  }
  const rows = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l))
    .map((row, i) => ({ ...row, i }))
    .sort((a, b) => a.scenario - b.scenario || a.i - b.i);
  rmSync(dirname(file), { recursive: true, force: true });
  const took = ((Date.now() - Number(process.env.FLOBS_FAULTS_STARTED)) / 1000).toFixed(0);
  const lines = [
    '',
    `fault suite results (${rows.length} rows; the suite took ${took} s):`,
    '',
    '| # | fault | expected | measured | time to recover |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.scenario} | ${cell(r.fault)} | ${cell(r.expected)} | ${cell(r.measured)} | ${cell(r.recovery)} |`),
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
};

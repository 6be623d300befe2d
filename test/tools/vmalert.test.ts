import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { tool } from '../tools';

test('vmalert -dryRun accepts every committed rule file (VictoriaMetrics can evaluate them too)', () => {
  const r = spawnSync(tool('vmalert'), ['-dryRun', `-rule=${resolve(__dirname, '../../rules')}/*.rules.yaml`], { encoding: 'utf8', timeout: 60_000 });
  expect(r.stdout + r.stderr).toMatch(/found \d+ files to read/);
  expect(r.status).toBe(0);
});

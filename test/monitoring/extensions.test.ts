/**
 * The user's own rule files and dashboards (issue 16, part 4): deployed beside the stack's after the
 * same parsers; refused with the field and the path named, nothing written; unknown metrics a
 * warning naming the rule. The deployed rule file passes the real `promtool check rules`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { ConfigError, loadConfig, resolveConfig } from '../../src/config/loader';
import { EXTENSION_LIMITS, USER_DASHBOARD_FOLDER } from '../../src/monitoring/extensions';
import { synthesize } from '../../src/synth';
import { tool } from '../tools';

const RULES = {
  groups: [
    {
      name: 'team-a.rules',
      rules: [
        { record: 'team:fl_accuracy:max', expr: 'max(fl_accuracy)' },
        {
          alert: 'TeamAccuracyLow',
          expr: 'team:fl_accuracy:max < 0.5 and on () team_custom_flag == 1',
          for: '10m',
          labels: { severity: 'warning', team: 'a' },
          annotations: { summary: 'Accuracy: "low" & {{ $value }}', description: 'multi\nline: text' },
        },
      ],
    },
  ],
};
const DASHBOARD = {
  uid: 'team-a-board',
  title: 'Team A',
  panels: [
    { id: 1, type: 'row', title: 'Row', panels: [{ id: 2, type: 'timeseries', title: 'Nested', targets: [{ refId: 'A', expr: 'sum(rate(team_requests_total[5m]))' }] }] },
    { id: 3, type: 'timeseries', title: 'Accuracy', targets: [{ refId: 'A', expr: 'fl_accuracy' }] },
  ],
};

/** A directory with a config file listing the given files (written beside it), relative to it. */
function workspace(files: Readonly<Record<string, string | Buffer>>, extensions: { ruleFiles?: string[]; dashboards?: string[] }): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), 'flobs-extensions-'));
  mkdirSync(join(dir, 'conf', 'user'), { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, 'conf', 'user', name), content);
  }
  const config = join(dir, 'conf', 'stack.yaml');
  writeFileSync(config, stringify({ extensions: { ruleFiles: extensions.ruleFiles ?? [], dashboards: extensions.dashboards ?? [] } }));
  return { dir, env: { STACK_CONFIG: config } };
}

function objects(dist: string): { kind: string; metadata: { name: string }; data?: Record<string, string> }[] {
  return readdirSync(dist).flatMap((f) => parseAllDocuments(readFileSync(join(dist, f), 'utf8')).map((d) => d.toJS()));
}

describe('user rule files and dashboards', () => {
  test('deployed beside the stack\'s (paths relative to the config file), re-rendered, promtool-checked; unknown metrics are warnings naming the rule and panel', () => {
    const ws = workspace({ 'team-a.yaml': stringify(RULES), 'team-a.json': JSON.stringify(DASHBOARD) }, { ruleFiles: ['user/team-a.yaml'], dashboards: ['user/team-a.json'] });
    const dist = join(ws.dir, 'dist');
    const summary = synthesize(loadConfig(ws.env), dist);
    expect(summary).toContain('extensions.ruleFiles.0');
    expect(summary).toContain('group team-a.rules, rule TeamAccuracyLow: metric team_custom_flag is not in the metric catalog');
    expect(summary).toContain('dashboard team-a-board, panel "Nested", target A: metric team_requests_total is not in the metric catalog');
    // Known metrics and the file's own recorded series are not warned about.
    expect(summary).not.toContain('metric fl_accuracy ');
    expect(summary).not.toContain('metric team:fl_accuracy:max');

    const all = objects(dist);
    const rules = all.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'prometheus-rules')!;
    const deployed = rules.data!['user-team-a.rules.yaml']!;
    expect(deployed).toBeDefined();
    // The stack's rule files are still there.
    expect(Object.keys(rules.data!)).toEqual(expect.arrayContaining(['fl.rules.yaml', 'kubernetes.rules.yaml']));
    const check = mkdtempSync(join(tmpdir(), 'flobs-extensions-check-'));
    writeFileSync(join(check, 'user-team-a.rules.yaml'), deployed);
    const r = spawnSync(tool('promtool'), ['check', 'rules', 'user-team-a.rules.yaml'], { cwd: check, encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toContain('SUCCESS: 2 rules found');
    expect(r.status).toBe(0);

    const board = all.find((o) => o.kind === 'ConfigMap' && Object.keys(o.data ?? {}).includes('team-a-board.json'));
    expect(board?.metadata.name).toBe(`grafana-dashboards-${USER_DASHBOARD_FOLDER.toLowerCase()}`);
    expect(JSON.parse(board!.data!['team-a-board.json']!)).toEqual(DASHBOARD);
  });

  const refusals: [string, Readonly<Record<string, string | Buffer>>, { ruleFiles?: string[]; dashboards?: string[] }, string][] = [
    ['a missing file', {}, { ruleFiles: ['user/none.yaml'] }, 'extensions.ruleFiles.0: cannot be read: ENOENT (got "<dir>/conf/user/none.yaml")'],
    ['YAML that does not parse', { 'r.yaml': 'groups: [' }, { ruleFiles: ['user/r.yaml'] }, 'extensions.ruleFiles.0: is not valid YAML: '],
    ['not a rule file', { 'r.yaml': 'groups:\n  - name: g\n    rules:\n      - recrod: x\n        expr: up\n' }, { ruleFiles: ['user/r.yaml'] }, 'extensions.ruleFiles.0: is not a Prometheus rule file: at groups.0.rules.0: '],
    [
      'PromQL that does not parse',
      { 'r.yaml': stringify({ groups: [{ name: 'g', rules: [{ alert: 'Broken', expr: 'sum(up' }] }] }) },
      { ruleFiles: ['user/r.yaml'] },
      'extensions.ruleFiles.0: group g, rule Broken: expression does not parse: ',
    ],
    [
      'a group name the stack uses',
      { 'r.yaml': stringify({ groups: [{ name: 'kubernetes.alerts', rules: [{ record: 'a:b:c', expr: 'up' }] }] }) },
      { ruleFiles: ['user/r.yaml'] },
      'extensions.ruleFiles.0: group kubernetes.alerts: the name is taken (by the stack or an earlier user group)',
    ],
    [
      'two files deploying as one name',
      { 'r.yaml': stringify(RULES), 'r.yml': stringify({ groups: [{ name: 'other', rules: [{ record: 'a:b:c', expr: 'up' }] }] }) },
      { ruleFiles: ['user/r.yaml', 'user/r.yml'] },
      'extensions.ruleFiles.1: deploys as user-r.rules.yaml, as an earlier file of the list does: rename one',
    ],
    ['not UTF-8', { 'r.yaml': Buffer.from([0x67, 0xff, 0x0a]) }, { ruleFiles: ['user/r.yaml'] }, 'extensions.ruleFiles.0: is not valid UTF-8'],
    ['too large', { 'r.yaml': `# ${'x'.repeat(EXTENSION_LIMITS.fileBytes)}\n` }, { ruleFiles: ['user/r.yaml'] }, `extensions.ruleFiles.0: is ${EXTENSION_LIMITS.fileBytes + 3} bytes; at most ${EXTENSION_LIMITS.fileBytes}`],
    ['a dashboard that is not JSON', { 'd.json': '{"uid": ' }, { dashboards: ['user/d.json'] }, 'extensions.dashboards.0: is not valid JSON: '],
    ['a dashboard without uid', { 'd.json': '{"title": "x"}' }, { dashboards: ['user/d.json'] }, 'extensions.dashboards.0: is not a Grafana dashboard model: at uid: '],
    [
      "a dashboard uid the stack's",
      { 'd.json': JSON.stringify({ ...DASHBOARD, uid: 'fl-training-overview' }) },
      { dashboards: ['user/d.json'] },
      'extensions.dashboards.0: uid fl-training-overview is taken (by the stack or an earlier user dashboard)',
    ],
    [
      'a panel query that does not parse',
      { 'd.json': JSON.stringify({ ...DASHBOARD, panels: [{ id: 1, title: 'Bad', targets: [{ refId: 'B', expr: 'rate(up[5m]' }] }] }) },
      { dashboards: ['user/d.json'] },
      'extensions.dashboards.0: panel "Bad", target B: PromQL does not parse: ',
    ],
  ];

  test.each(refusals)('refuses %s: the field and the path named, nothing written', (_name, files, extensions, expected) => {
    const ws = workspace(files, extensions);
    const dist = join(ws.dir, 'dist');
    let error: unknown;
    try {
      synthesize(loadConfig(ws.env), dist);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message.replaceAll(ws.dir, '<dir>')).toContain(`\n  ${expected}`);
    expect(existsSync(dist)).toBe(false);
  });

  test('the config refuses paths of the wrong kind, naming the field and the value', () => {
    expect(() => resolveConfig({ overrides: { extensions: { ruleFiles: ['rules.json'], dashboards: [] } } })).toThrow(
      'extensions.ruleFiles.0: must name a .yaml or .yml file (got "rules.json")',
    );
    expect(() => resolveConfig({ overrides: { extensions: { ruleFiles: [], dashboards: ['d/$(x).json'] } } })).toThrow(
      'extensions.dashboards.0: its file name must be letters, digits, . _ - (it names the deployed file) (got "d/$(x).json")',
    );
  });
});

/**
 * The user's own rule files and dashboards (`extensions` of the config), checked with the parsers the
 * stack's own go through: a file that does not parse, a PromQL/LogQL expression that does not parse,
 * a name that collides is refused (naming the file, and the group/rule or panel/target); a metric the
 * catalog does not know is a warning naming the rule or panel. What is deployed is re-rendered from
 * the parsed and checked document, never the file's text.
 */
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { ConfigError } from '../config/loader';
import { parseDuration } from '../config/values';
import type { MetricCatalog } from './catalog';
import { parseLogQL, parsePromQL } from './promql';
import type { ProvisionedDashboard } from './mixin';
import { toYaml } from '../common/yaml';

/** A file the config names, as read: its path as configured (for messages) and its text. */
export interface ExtensionFile {
  /** The config field, e.g. `extensions.ruleFiles.0`. */
  readonly field: string;
  readonly path: string;
  readonly text: string;
}

/** Bounds on the user's files: each, and all of a kind together (they share a ConfigMap, at most 1 MiB). */
export const EXTENSION_LIMITS = {
  fileBytes: 256 * 1024,
  totalBytes: 512 * 1024,
} as const;

/** The Grafana folder the user's dashboards are provisioned into. */
export const USER_DASHBOARD_FOLDER = 'Custom';

/** A user file that cannot be deployed: a config error naming the field, the path, and why. */
export class ExtensionError extends ConfigError {
  constructor(field: string, path: string, problem: string) {
    super([{ path: field, value: path, message: problem }], 'extensions');
    this.name = 'ExtensionError';
  }
}

/** What the checks look names up in. */
export interface ExtensionContext {
  readonly catalog: MetricCatalog;
  /** Series the stack's recording rules produce. */
  readonly recorded: ReadonlySet<string>;
  /** The stack's rule group names (a user group may not reuse one). */
  readonly groups: ReadonlySet<string>;
  /** The stack's dashboard uids (a user dashboard may not reuse one). */
  readonly dashboardUids: ReadonlySet<string>;
}

/** The checked extensions: rule file name → YAML, dashboards, and the warnings to print. */
export interface CheckedExtensions {
  readonly ruleFiles: Readonly<Record<string, string>>;
  readonly dashboards: readonly ProvisionedDashboard[];
  readonly warnings: readonly string[];
}

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { message: 'must be a Prometheus label name' });
const promDuration = z.string().refine((v) => parseDuration(v) !== undefined, { message: 'must be a duration such as 30s, 5m' });
const labels = z.record(labelName, z.string());
const expr = z.string().min(1, { message: 'must be a PromQL expression' });
const RecordingRule = z.strictObject({ record: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, { message: 'must be a metric name' }), expr, labels: labels.optional() });
const AlertingRule = z.strictObject({
  alert: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { message: 'must be a label value of alertname: letters, digits, _' }),
  expr,
  for: promDuration.optional(),
  keep_firing_for: promDuration.optional(),
  labels: labels.optional(),
  annotations: z.record(labelName, z.string()).optional(),
});
/** A Prometheus rule file, as far as the stack deploys it (the keys Prometheus 3 reads). */
const RuleFile = z.strictObject({
  groups: z
    .array(
      z.strictObject({
        name: z.string().min(1).max(200),
        interval: promDuration.optional(),
        query_offset: promDuration.optional(),
        limit: z.number().int().min(0).optional(),
        labels: labels.optional(),
        rules: z.array(z.union([RecordingRule, AlertingRule])).min(1),
      }),
    )
    .min(1),
});
type RuleFile = z.infer<typeof RuleFile>;

function sizeChecked(files: readonly ExtensionFile[]): void {
  let total = 0;
  for (const f of files) {
    const bytes = Buffer.byteLength(f.text, 'utf8');
    if (bytes > EXTENSION_LIMITS.fileBytes) {
      throw new ExtensionError(f.field, f.path, `is ${bytes} bytes; at most ${EXTENSION_LIMITS.fileBytes}`);
    }
    total += bytes;
    if (total > EXTENSION_LIMITS.totalBytes) {
      throw new ExtensionError(f.field, f.path, `makes the files of this list ${total} bytes; at most ${EXTENSION_LIMITS.totalBytes} together (they share one ConfigMap)`);
    }
  }
}

/** The deployed name of a user's file: `<prefix><base name without its ending><suffix>`. */
function deployedName(path: string, ending: RegExp): string {
  return path.split(/[\\/]/).pop()!.replace(ending, '');
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `${issue.path.length === 0 ? '' : `at ${issue.path.join('.')}: `}${issue.message}`;
}

function unknownMetrics(metrics: readonly string[], ctx: ExtensionContext, recorded: ReadonlySet<string>): string[] {
  return metrics.filter((m) => ctx.catalog.lookup(m) === undefined && !ctx.recorded.has(m) && !recorded.has(m));
}

function checkRuleFiles(files: readonly ExtensionFile[], ctx: ExtensionContext): { ruleFiles: Record<string, string>; warnings: string[] } {
  sizeChecked(files);
  const ruleFiles: Record<string, string> = {};
  const warnings: string[] = [];
  const groups = new Set(ctx.groups);
  const parsed: { file: ExtensionFile; doc: RuleFile }[] = [];
  for (const file of files) {
    let raw: unknown;
    try {
      raw = parseYaml(file.text, { maxAliasCount: 50, uniqueKeys: true });
    } catch (err) {
      throw new ExtensionError(file.field, file.path, `is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
    }
    const doc = RuleFile.safeParse(raw);
    if (!doc.success) {
      throw new ExtensionError(file.field, file.path, `is not a Prometheus rule file: ${firstIssue(doc.error)}`);
    }
    const name = `user-${deployedName(file.path, /\.ya?ml$/)}.rules.yaml`;
    if (name in ruleFiles) {
      throw new ExtensionError(file.field, file.path, `deploys as ${name}, as an earlier file of the list does: rename one`);
    }
    for (const g of doc.data.groups) {
      if (groups.has(g.name)) {
        throw new ExtensionError(file.field, file.path, `group ${g.name}: the name is taken (by the stack or an earlier user group)`);
      }
      groups.add(g.name);
      for (const rule of g.rules) {
        const problems = parsePromQL(rule.expr).errors;
        if (problems.length > 0) {
          throw new ExtensionError(file.field, file.path, `group ${g.name}, rule ${'record' in rule ? rule.record : rule.alert}: expression does not parse: ${problems[0]}`);
        }
      }
    }
    ruleFiles[name] = toYaml(doc.data);
    parsed.push({ file, doc: doc.data });
  }
  // Every user file's recorded series are known to every other's rules.
  const recorded = new Set(parsed.flatMap(({ doc }) => doc.groups.flatMap((g) => g.rules.flatMap((r) => ('record' in r ? [r.record] : [])))));
  for (const { file, doc } of parsed) {
    for (const g of doc.groups) {
      for (const rule of g.rules) {
        for (const m of unknownMetrics(parsePromQL(rule.expr).metrics, ctx, recorded)) {
          warnings.push(`${file.field} (${file.path}): group ${g.name}, rule ${'record' in rule ? rule.record : rule.alert}: metric ${m} is not in the metric catalog (contracts/metric-catalog.json) nor recorded`);
        }
      }
    }
  }
  return { ruleFiles, warnings };
}

interface PanelJson {
  id?: unknown;
  title?: unknown;
  targets?: unknown;
  panels?: unknown;
  datasource?: { type?: unknown };
}

const DashboardJson = z.looseObject({
  uid: z.string().regex(/^[a-zA-Z0-9_-]{1,40}$/, { message: 'must be 1 to 40 of a-z A-Z 0-9 _ -' }),
  title: z.string().min(1).max(200),
  panels: z.array(z.looseObject({})).max(500).optional(),
});

function checkDashboards(files: readonly ExtensionFile[], ctx: ExtensionContext): { dashboards: ProvisionedDashboard[]; warnings: string[] } {
  sizeChecked(files);
  const dashboards: ProvisionedDashboard[] = [];
  const warnings: string[] = [];
  const uids = new Set(ctx.dashboardUids);
  for (const file of files) {
    let raw: unknown;
    try {
      raw = JSON.parse(file.text);
    } catch (err) {
      throw new ExtensionError(file.field, file.path, `is not valid JSON: ${(err as Error).message}`);
    }
    const doc = DashboardJson.safeParse(raw);
    if (!doc.success) {
      throw new ExtensionError(file.field, file.path, `is not a Grafana dashboard model: ${firstIssue(doc.error)}`);
    }
    const uid = doc.data.uid;
    if (uids.has(uid)) {
      throw new ExtensionError(file.field, file.path, `uid ${uid} is taken (by the stack or an earlier user dashboard)`);
    }
    uids.add(uid);
    const walk = (panels: readonly PanelJson[]): void => {
      for (const p of panels) {
        const where = `panel ${JSON.stringify(p.title ?? p.id ?? '?')}`;
        const targets = Array.isArray(p.targets) ? (p.targets as { refId?: unknown; expr?: unknown; datasource?: { type?: unknown } }[]) : [];
        for (const t of targets) {
          if (typeof t.expr !== 'string') continue;
          const type = t.datasource?.type ?? p.datasource?.type;
          const parsed = type === 'loki' ? parseLogQL(t.expr) : parsePromQL(t.expr);
          const at = `${where}, target ${String(t.refId ?? '?')}`;
          if (parsed.errors.length > 0) {
            throw new ExtensionError(file.field, file.path, `${at}: ${type === 'loki' ? 'LogQL' : 'PromQL'} does not parse: ${parsed.errors[0]}`);
          }
          for (const m of unknownMetrics(parsed.metrics, ctx, new Set())) {
            warnings.push(`${file.field} (${file.path}): dashboard ${uid}, ${at}: metric ${m} is not in the metric catalog nor recorded`);
          }
        }
        if (Array.isArray(p.panels)) walk(p.panels as PanelJson[]);
      }
    };
    walk((doc.data.panels ?? []) as PanelJson[]);
    // Re-rendered from the parsed model: deterministic, nothing but JSON.
    dashboards.push({ uid, folder: USER_DASHBOARD_FOLDER, json: `${JSON.stringify(raw, null, 2)}\n` });
  }
  return { dashboards, warnings };
}

/** Checks the user's rule files and dashboards against the stack's names and catalog. */
export function checkExtensions(files: { readonly ruleFiles: readonly ExtensionFile[]; readonly dashboards: readonly ExtensionFile[] }, ctx: ExtensionContext): CheckedExtensions {
  const rules = checkRuleFiles(files.ruleFiles, ctx);
  const boards = checkDashboards(files.dashboards, ctx);
  return { ruleFiles: rules.ruleFiles, dashboards: boards.dashboards, warnings: [...rules.warnings, ...boards.warnings] };
}

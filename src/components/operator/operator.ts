import { Construct } from 'constructs';
import { parse as parseYaml } from 'yaml';
import { isWorkload, type ManifestObject } from '../../common/manifest';
import { PART_OF, ScrapeAnnotations } from '../../common/names';
import { JOB_POD_LABEL, POD_TARGET_LABELS } from '../../common/scrape';
import type { RelabelRule, StackConfig } from '../../config/schema';
import { ConfigError } from '../../config/loader';
import {
  PodMonitor,
  PodMonitorSpecPodMetricsEndpointsRelabelingsAction as RelabelAction,
  PrometheusRule,
  PrometheusRuleSpecGroupsRulesExpr,
  type PrometheusRuleSpecGroups,
  type PrometheusRuleSpecGroupsRules,
} from '../../imports/monitoring.coreos.com';
import { k8s } from '../../k8s';
import type { ProvisionedDashboard } from '../../monitoring/mixin';

/** What a workload's pod template asks Prometheus to scrape (its prometheus.io annotations). */
export interface ScrapedWorkload {
  /** Its `app.kubernetes.io/name`: the PodMonitor's name and the series' `job`. */
  readonly name: string;
  readonly namespace: string;
  /** Its pods' selector. */
  readonly selector: Readonly<Record<string, string>>;
  readonly port: number;
  readonly path: string;
  readonly honorLabels: boolean;
}

/**
 * The scrape targets of synthesized objects: every workload whose pod template opts in with the
 * prometheus.io annotations, the same ones the standalone Prometheus's pod job discovers.
 */
export function scrapedWorkloads(objects: readonly ManifestObject[]): ScrapedWorkload[] {
  return objects.filter(isWorkload).flatMap((o) => {
    const annotations = o.spec.template.metadata?.annotations ?? {};
    if (annotations[ScrapeAnnotations.scrape] !== 'true') return [];
    const name = o.spec.template.metadata?.labels?.[JOB_POD_LABEL];
    const selector = o.spec.selector?.matchLabels;
    if (name === undefined || selector === undefined || o.metadata.namespace === undefined) {
      throw new Error(`${o.kind} ${o.metadata.name} is annotated for scraping but has no ${JOB_POD_LABEL} label, selector or namespace`);
    }
    return [
      {
        name,
        namespace: o.metadata.namespace,
        selector,
        port: Number(annotations[ScrapeAnnotations.port]),
        path: annotations[ScrapeAnnotations.path] ?? '/metrics',
        honorLabels: annotations[ScrapeAnnotations.honorLabels] === 'true',
      },
    ];
  });
}

/** A Kubernetes object name (RFC 1123 subdomain, one label here) made of a rule file's or dashboard's name. */
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Props of {@link OperatorResources}. */
export interface OperatorResourcesProps {
  readonly config: StackConfig;
  /** The synthesized workloads' scrape targets ({@link scrapedWorkloads}). */
  readonly targets: readonly ScrapedWorkload[];
  /** Rule file name (`<name>.rules.yaml`) → YAML, of the cluster's scope. */
  readonly ruleFiles: Readonly<Record<string, string>>;
  readonly dashboards: readonly ProvisionedDashboard[];
}

/**
 * What a prometheus-operator stack (kube-prometheus-stack) needs to watch the stack: a PodMonitor
 * per scraped workload (job = its app.kubernetes.io/name, the target labels of the standalone pod
 * job), a PrometheusRule per rule file carrying its groups unchanged, and a ConfigMap per dashboard
 * for the Grafana dashboard sidecar. Labelled with the config's selector labels.
 */
export class OperatorResources extends Construct {
  constructor(scope: Construct, id: string, props: OperatorResourcesProps) {
    super(scope, id);
    const { config } = props;
    const settings = config.operator;
    const own = { 'app.kubernetes.io/part-of': PART_OF, 'app.kubernetes.io/managed-by': 'cdk8s' };
    for (const t of props.targets) {
      new PodMonitor(this, `podmonitor-${t.namespace}-${t.name}`, {
        metadata: { name: t.name, namespace: t.namespace, labels: { ...own, 'app.kubernetes.io/name': t.name, ...settings.monitorLabels } },
        spec: {
          jobLabel: JOB_POD_LABEL,
          selector: { matchLabels: { ...t.selector } },
          podMetricsEndpoints: [
            {
              portNumber: t.port,
              path: t.path,
              interval: config.scrapeInterval,
              ...(t.honorLabels ? { honorLabels: true } : {}),
              relabelings: POD_TARGET_LABELS.map(relabeling),
            },
          ],
        },
      });
    }
    const ruleNamespace = config.namespaces.monitoring;
    for (const [file, yaml] of Object.entries(props.ruleFiles)) {
      const name = objectName(file.replace(/\.rules\.ya?ml$/, ''), 'extensions.ruleFiles', file);
      const groups = (parseYaml(yaml) as RuleFile).groups.map((g) => ruleGroup(g, file));
      new PrometheusRule(this, `rule-${name}`, {
        metadata: { name, namespace: ruleNamespace, labels: { ...own, ...settings.ruleLabels } },
        spec: { groups },
      });
    }
    const dashboardNamespace = settings.dashboards.namespace ?? config.namespaces.monitoring;
    for (const d of props.dashboards) {
      const name = `dashboard-${objectName(d.uid.toLowerCase(), 'extensions.dashboards', d.uid)}`;
      new k8s.KubeConfigMap(this, name, {
        metadata: {
          name,
          namespace: dashboardNamespace,
          labels: { ...own, [settings.dashboards.label]: settings.dashboards.labelValue },
          // The folder, for a sidecar whose folderAnnotation is grafana_folder.
          annotations: { grafana_folder: d.folder },
        },
        data: { [`${d.uid}.json`]: d.json },
      });
    }
  }
}

/** A rule file's or dashboard's name as an object name; a user's that cannot be one is refused with its field. */
function objectName(name: string, field: string, value: string): string {
  if (!OBJECT_NAME.test(name)) {
    throw new ConfigError([{ path: field, value, message: `cannot name a Kubernetes object in operator mode (lowercase letters, digits and -, at most 63): rename it` }], 'operator');
  }
  return name;
}

/** A Prometheus rule file, as the mixins and the user's extensions write it (snake_case keys). */
interface RuleFile {
  readonly groups: readonly {
    readonly name: string;
    readonly interval?: string;
    readonly limit?: number;
    readonly query_offset?: string;
    readonly labels?: Record<string, string>;
    readonly rules: readonly Record<string, unknown>[];
  }[];
}

/** The keys of a rule in a rule file, and the PrometheusRule field each becomes. */
const RULE_FIELDS: Readonly<Record<string, keyof PrometheusRuleSpecGroupsRules>> = {
  record: 'record',
  alert: 'alert',
  expr: 'expr',
  for: 'for',
  keep_firing_for: 'keepFiringFor',
  labels: 'labels',
  annotations: 'annotations',
};

/**
 * A rule group of a rule file as the PrometheusRule's typed group: every field of Prometheus's rule
 * file format carried over (the generated types drop what they do not name, so a key without a
 * mapping is refused rather than lost).
 */
function ruleGroup(g: RuleFile['groups'][number], file: string): PrometheusRuleSpecGroups {
  const rules = g.rules.map((rule): PrometheusRuleSpecGroupsRules => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(rule)) {
      const field = RULE_FIELDS[key];
      if (field === undefined) throw new Error(`${file}: group ${g.name}: rule field ${key} has no PrometheusRule equivalent`);
      out[field] = key === 'expr' ? PrometheusRuleSpecGroupsRulesExpr.fromString(String(value)) : value;
    }
    return out as unknown as PrometheusRuleSpecGroupsRules;
  });
  return {
    name: g.name,
    ...(g.interval === undefined ? {} : { interval: g.interval }),
    ...(g.limit === undefined ? {} : { limit: g.limit }),
    ...(g.query_offset === undefined ? {} : { queryOffset: g.query_offset }),
    ...(g.labels === undefined ? {} : { labels: g.labels }),
    rules,
  };
}

/** A relabel rule of the config's camelCase spelling, which the CRD shares, as the PodMonitor's type. */
function relabeling(rule: RelabelRule) {
  return { ...rule, ...(rule.sourceLabels === undefined ? {} : { sourceLabels: [...rule.sourceLabels] }), action: rule.action as RelabelAction };
}

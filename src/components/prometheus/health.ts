import { ComponentName } from '../../common/names';
import { parseJson, listSome, readyCheck, type ComponentProbe, type HttpCheck } from '../../health/probe';
import { critical, ok, warning, type Outcome } from '../../health/status';
import { PrometheusApi } from './api';

/** One active target of `/api/v1/targets`. */
interface Target {
  readonly scrapePool: string;
  readonly scrapeUrl: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly health: 'up' | 'down' | 'unknown';
  readonly lastError: string;
}

/** One rule of `/api/v1/rules`. */
interface Rule {
  readonly name: string;
  readonly health: 'ok' | 'err' | 'unknown';
  readonly lastError?: string;
}

const TARGETS_PATH = '/api/v1/targets?state=active';
const RULES_PATH = '/api/v1/rules';
/** The window in which past rule evaluation failures are reported. */
export const RULE_FAILURE_WINDOW = '15m';
const FAILURES_PATH = `/api/v1/query?query=${encodeURIComponent(`sum by (rule_group) (increase(prometheus_rule_evaluation_failures_total[${RULE_FAILURE_WINDOW}])) > 0`)}`;

/** `job namespace/pod` when the target is a pod, else `job instance`. */
function targetName(t: Target): string {
  const where = t.labels.pod === undefined ? (t.labels.instance ?? t.scrapeUrl) : `${t.labels.namespace ?? ''}/${t.labels.pod}`;
  return `${t.labels.job ?? t.scrapePool} ${where}`;
}

/**
 * Targets by job: a job none of whose targets is up is critical (nothing of it is scraped), a job
 * with some targets down is a warning. Targets not scraped yet (`unknown`) count as neither.
 */
export function judgeTargets(targets: readonly Target[]): Outcome {
  if (targets.length === 0) {
    return warning('no active targets: service discovery finds nothing to scrape');
  }
  const jobs = new Map<string, Target[]>();
  for (const t of targets) {
    const job = t.labels.job ?? t.scrapePool;
    jobs.set(job, [...(jobs.get(job) ?? []), t]);
  }
  const down = targets.filter((t) => t.health === 'down');
  const up = targets.filter((t) => t.health === 'up').length;
  const pending = targets.filter((t) => t.health === 'unknown').length;
  const summary = `${up}/${targets.length} targets up${pending > 0 ? `, ${pending} not scraped yet` : ''}`;
  if (down.length === 0) {
    return ok(summary);
  }
  const deadJobs = [...jobs].filter(([, ts]) => ts.every((t) => t.health === 'down')).map(([job]) => job).sort();
  const detail = `${summary}; down: ${listSome(down.map((t) => `${targetName(t)} (${t.lastError || 'no error given'})`).sort())}`;
  return deadJobs.length > 0 ? critical(`${detail}; no target up in job ${deadJobs.join(', ')}`) : warning(detail);
}

function targetsCheck(): HttpCheck {
  return {
    name: 'targets',
    path: TARGETS_PATH,
    evaluate: (res) => {
      const parsed = parseJson<{ data: { activeTargets: Target[] } }>(res, TARGETS_PATH);
      return 'failure' in parsed ? parsed.failure : judgeTargets(parsed.value.data.activeTargets);
    },
  };
}

function rulesCheck(): HttpCheck {
  return {
    name: 'rules',
    path: RULES_PATH,
    evaluate: (res) => {
      const parsed = parseJson<{ data: { groups: { name: string; rules: Rule[] }[] } }>(res, RULES_PATH);
      if ('failure' in parsed) {
        return parsed.failure;
      }
      const groups = parsed.value.data.groups;
      const rules = groups.flatMap((g) => g.rules.map((r) => ({ group: g.name, rule: r })));
      const failing = rules.filter(({ rule }) => rule.health === 'err');
      const summary = `${groups.length} groups, ${rules.length} rules`;
      if (groups.length === 0) {
        return warning('no rule groups loaded: no alert can fire');
      }
      return failing.length === 0
        ? ok(`${summary}, none failing`)
        : critical(`${summary}; failing: ${listSome(failing.map(({ group, rule }) => `${group}/${rule.name} (${rule.lastError ?? 'no error given'})`))}`);
    },
  };
}

function ruleFailuresCheck(): HttpCheck {
  return {
    name: 'rule failures',
    path: FAILURES_PATH,
    evaluate: (res) => {
      const parsed = parseJson<{ data: { result: { metric: { rule_group?: string }; value: [number, string] }[] } }>(res, '/api/v1/query');
      if ('failure' in parsed) {
        return parsed.failure;
      }
      const failed = parsed.value.data.result.map((r) => `${r.metric.rule_group ?? '(no group)'}: ${Math.round(Number(r.value[1]))}`).sort();
      return failed.length === 0
        ? ok(`no rule evaluation failures in ${RULE_FAILURE_WINDOW}`)
        : warning(`rule evaluation failures in the last ${RULE_FAILURE_WINDOW}: ${listSome(failed)}`);
    },
  };
}

/** Prometheus: ready, its targets up, its rules evaluating. */
export const PROMETHEUS_PROBE: ComponentProbe = {
  component: ComponentName.PROMETHEUS,
  endpoint: (topology) => topology.endpoint(ComponentName.PROMETHEUS),
  checks: () => [readyCheck('ready', PrometheusApi.ready), targetsCheck(), rulesCheck(), ruleFailuresCheck()],
};

import type { ComponentName } from '../common/names';
import { KUBELET_METRICS_PATHS, METRICS_PATH_LABEL, type KubeletJob } from '../common/scrape';
import { matchers } from './promql';

/**
 * The one place that says how a component's series are selected: by the `job` label that the
 * `kubernetes-pods` scrape job derives from `app.kubernetes.io/name`. Rules and dashboards use it.
 * cAdvisor's are selected by the kubelet path they were scraped at, which holds in the standalone
 * stack (job `cadvisor`) and under kube-prometheus-stack (job `kubelet`) alike.
 */
export function jobMatchers(name: ComponentName | KubeletJob): Record<string, string> {
  return name === 'cadvisor' ? { [METRICS_PATH_LABEL]: KUBELET_METRICS_PATHS.cadvisor } : { job: name };
}

/** `metric{job="…"}` plus extra matchers (values given with `~` prefix are regex matches). */
export function sel(metric: string, name: ComponentName | KubeletJob, extra: Readonly<Record<string, string>> = {}): string {
  const labels: Record<string, string> = { ...jobMatchers(name) };
  const regex: string[] = [];
  for (const [k, v] of Object.entries(extra)) {
    if (v.startsWith('~')) {
      regex.push(k);
      labels[k] = v.slice(1);
    } else {
      labels[k] = v;
    }
  }
  return `${metric}${matchers(labels, regex)}`;
}

/** The same selector as promtool test input: `metric{job="…", extra}`. */
export function series(metric: string, name: ComponentName | KubeletJob, extra: Readonly<Record<string, string>> = {}): string {
  return `${metric}${matchers({ ...jobMatchers(name), ...extra })}`;
}

import { UI_ACCESS, LocalRunKind, LocalStartPhase, NamespaceTier, type ComponentSpec } from '../component-spec';
import { ingressUrl } from '../../common/ingress';
import { ComponentName, Ports } from '../../common/names';
import { ALL_NAMESPACES, type StackConfig } from '../../config/schema';
import { resolveImage } from '../../common/workload';
import { webTlsSecretOf } from '../../common/web-tls';
import { prometheusConfig, prometheusFileValues } from './config';
import { PROMETHEUS_PROBE } from './health';
import { PROMETHEUS_MIXIN } from './mixin';
import { Prometheus } from './prometheus';

/** Prometheus: scrapes the stack and the FL workload, evaluates every rule file, remote-writes to the long-term store. */
export const PROMETHEUS_COMPONENT: ComponentSpec = {
  id: 'prometheus',
  chartOrder: 20,
  enabled: (config) => config.prometheus.enabled,
  workloads: [
    {
      name: ComponentName.PROMETHEUS,
      tier: NamespaceTier.MONITORING,
      servicePort: Ports.prometheus,
      persistentVolume: true,
      ui: true,
      webTls: true,
      ingress: [{ port: Ports.prometheus, from: [ComponentName.PROMETHEUS, ComponentName.GRAFANA, UI_ACCESS] }],
      local: {
        kind: LocalRunKind.TOOL,
        binary: 'prometheus',
        container: 'prometheus',
        phase: LocalStartPhase.PIPELINE,
        configKey: 'prometheus.yml',
        listenFlags: { 'web.listen-address': Ports.prometheus },
      },
    },
  ],
  // The site agent scrapes with these same jobs (the kubelet ones aside): one definition of the stack's discovery.
  scrapeJobs: (config, topology) => prometheusConfig(config, topology).scrape_configs,
  build: (scope, ctx) =>
    new Prometheus(scope, 'prometheus', {
      ...prometheusFileValues(ctx.config, ctx.topology),
      namespace: ctx.namespace(NamespaceTier.MONITORING),
      image: resolveImage('prometheus', ctx.config.prometheus.image),
      externalUrl: ingressUrl(ctx.config.ingress, ComponentName.PROMETHEUS) ?? ctx.topology.url(ComponentName.PROMETHEUS),
      ruleFiles: ctx.ruleFiles,
      ...webTlsSecretOf(ctx, ComponentName.PROMETHEUS),
    }),
  mixin: PROMETHEUS_MIXIN,
  probes: [PROMETHEUS_PROBE],
  warnings: (config) => (config.prometheus.enabled ? onboardingNotes(config) : []),
};

/**
 * What the operators of onboarded namespaces must know: the stack leaves their namespaces' policies
 * alone, so where one restricts ingress the scrape flow must be allowed there; the Roles need the
 * namespaces to exist.
 */
function onboardingNotes(config: StackConfig): string[] {
  const onboarded = config.prometheus.onboardedNamespaces;
  if (onboarded !== ALL_NAMESPACES && onboarded.length === 0) {
    return [];
  }
  const from = `pods app.kubernetes.io/name=${ComponentName.PROMETHEUS} of namespace ${config.namespaces.monitoring}`;
  return [
    onboarded === ALL_NAMESPACES
      ? `prometheus.onboardedNamespaces is '${ALL_NAMESPACES}': Prometheus reads pods, Services and Endpoints cluster-wide (ClusterRole) and scrapes every annotated pod and Service; ` +
        `where a namespace's NetworkPolicies restrict ingress, allow TCP from ${from} to the annotated ports (the stack changes no policy outside its namespaces)`
      : `prometheus.onboardedNamespaces ${onboarded.join(', ')}: a Role and RoleBinding go into each (the namespaces must exist); ` +
        `where their NetworkPolicies restrict ingress, allow TCP from ${from} to the annotated ports (the stack changes no policy outside its namespaces)`,
  ];
}

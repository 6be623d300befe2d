import { LocalRunKind, LocalStartPhase, NamespaceTier, SCRAPERS, type ComponentSpec } from '../component-spec';
import { ComponentName, Ports } from '../../common/names';
import { resolveImage } from '../../common/workload';
import { THANOS_RULE_PROBE } from './health';
import { ThanosRule } from './rule';
import { SITES_MIXIN } from './sites-mixin';

/**
 * Thanos Rule with the federation's rules (central profile): alerts on every site's series, which
 * only Thanos Query sees (the central Prometheus scrapes its own cluster).
 */
export const THANOS_RULE_COMPONENT: ComponentSpec = {
  id: 'thanos-rule',
  chartOrder: 29,
  enabled: (config) => config.thanos.enabled,
  workloads: [
    {
      name: ComponentName.THANOS_RULE,
      tier: NamespaceTier.MONITORING,
      servicePort: Ports.thanosHttp,
      persistentVolume: true,
      ingress: [{ port: Ports.thanosHttp, from: [...SCRAPERS] }],
      local: { kind: LocalRunKind.TOOL, binary: 'thanos', container: ComponentName.THANOS_RULE, phase: LocalStartPhase.PIPELINE, listenFlags: { 'http-address': Ports.thanosHttp, 'grpc-address': Ports.thanosGrpc } },
    },
  ],
  build: (scope, ctx) => {
    const query = ctx.topology.endpoint(ComponentName.THANOS_QUERY);
    new ThanosRule(scope, 'rule', {
      namespace: ctx.namespace(NamespaceTier.MONITORING),
      image: resolveImage('thanos', ctx.config.thanos.image),
      settings: ctx.config.thanos,
      resources: ctx.config.thanos.rule.resources,
      storage: ctx.config.thanos.rule.storage,
      query: `${query.service}.${query.namespace}.svc:${query.port}`,
      ...(ctx.config.alertmanager.enabled ? { alertmanager: ctx.topology.endpoint(ComponentName.ALERTMANAGER) } : {}),
      evaluationInterval: ctx.config.evaluationInterval,
      ruleFiles: ctx.federationRuleFiles,
      webTlsCaSecret: ctx.config.webTls.secret,
    });
  },
  mixin: SITES_MIXIN,
  probes: [THANOS_RULE_PROBE],
};

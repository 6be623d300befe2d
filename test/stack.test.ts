import { CLUSTER_SCOPED_KINDS } from '../src/stack';
import { ComponentName } from '../src/common/names';
import { parseBytes, parseCpuMillis } from '../src/config/values';
import { configOf, podTemplates, synthStack, type K8sObject } from './helpers';

const PROFILES = ['minikube', 'production'] as const;

describe.each(PROFILES)('profile %s', (profile) => {
  const objects = synthStack(configOf(profile));
  const templates = podTemplates(objects);

  test('every object carries the recommended labels', () => {
    // Namespaces and NetworkPolicies belong to the stack, not to one component (they carry part-of only).
    for (const o of objects.filter((x) => x.kind !== 'Namespace' && x.kind !== 'NetworkPolicy')) {
      const labels = o.metadata.labels ?? {};
      expect(Object.values(ComponentName)).toContain(labels['app.kubernetes.io/name']);
      expect(labels['app.kubernetes.io/part-of']).toBe('fl-observability');
      expect(labels['app.kubernetes.io/component']).toMatch(/^[a-z-]+$/);
      expect(labels['app.kubernetes.io/version']).toMatch(/^[A-Za-z0-9_.-]+$/);
    }
  });

  test('cluster-scoped objects have no namespace, namespaced ones have one of ours', () => {
    const config = configOf(profile);
    const ours = Object.values(config.namespaces);
    for (const o of objects) {
      if (CLUSTER_SCOPED_KINDS.has(o.kind)) {
        expect(o.metadata.namespace).toBeUndefined();
      } else {
        expect(ours).toContain(o.metadata.namespace);
      }
    }
  });

  test('every container has explicit requests and limits, probes and a pinned image pulled IfNotPresent', () => {
    for (const { owner, spec } of templates) {
      for (const c of spec.containers) {
        const where = `${owner.kind}/${owner.metadata.name}/${c.name}`;
        expect([where, c.resources.requests.cpu, c.resources.requests.memory, c.resources.limits.cpu, c.resources.limits.memory].every((v) => v !== undefined)).toBe(true);
        expect({ where, image: c.image }).toEqual({ where, image: expect.stringMatching(/^[^:]+(:[^:]+)?:(?!latest$)[A-Za-z0-9_.-]+$|@sha256:[a-f0-9]{64}$/) });
        expect({ where, policy: c.imagePullPolicy }).toEqual({ where, policy: 'IfNotPresent' });
        expect({ where, readiness: c.readinessProbe !== undefined, liveness: c.livenessProbe !== undefined }).toEqual({ where, readiness: true, liveness: true });
      }
    }
  });

  test('container resources are the config slice, not cdk8s-plus defaults', () => {
    const config = configOf(profile);
    const slices: Record<string, { requests: { cpu: string; memory: string } }> = {
      prometheus: config.prometheus.resources,
      grafana: config.grafana.resources,
      loki: config.loki.resources,
      'node-exporter': config.nodeExporter.resources,
      'fl-client': config.fl.client.resources,
    };
    for (const [name, resources] of Object.entries(slices)) {
      const c = templates.find((t) => t.owner.metadata.name === name)!.spec.containers[0];
      expect(parseCpuMillis(c.resources.requests.cpu)).toBe(parseCpuMillis(resources.requests.cpu));
      expect(parseBytes(c.resources.requests.memory)).toBe(parseBytes(resources.requests.memory));
    }
  });

  test('every container drops all capabilities, forbids escalation, uses RuntimeDefault seccomp and is not privileged', () => {
    for (const { owner, spec } of templates) {
      for (const c of spec.containers) {
        const sc = c.securityContext;
        expect({ w: `${owner.metadata.name}/${c.name}`, drop: sc.capabilities.drop, esc: sc.allowPrivilegeEscalation, priv: sc.privileged, seccomp: sc.seccompProfile?.type }).toEqual({
          w: `${owner.metadata.name}/${c.name}`,
          drop: ['ALL'],
          esc: false,
          priv: false,
          seccomp: 'RuntimeDefault',
        });
      }
    }
  });

  test('pods outside the agents namespace run as non-root with a read-only root filesystem', () => {
    const config = configOf(profile);
    for (const { owner, spec } of templates.filter((t) => t.owner.metadata.namespace !== config.namespaces.agents)) {
      expect({ w: owner.metadata.name, nonRoot: spec.securityContext.runAsNonRoot }).toEqual({ w: owner.metadata.name, nonRoot: true });
      for (const c of spec.containers) {
        expect({ w: owner.metadata.name, ro: c.securityContext.readOnlyRootFilesystem, nonRoot: c.securityContext.runAsNonRoot }).toEqual({ w: owner.metadata.name, ro: true, nonRoot: true });
      }
    }
  });

  test('every workload has its own ServiceAccount; only API clients mount its token', () => {
    const apiClients = new Set(['prometheus', 'promtail', 'fluentd', 'kube-state-metrics']);
    const names = templates.map((t) => t.spec.serviceAccountName);
    expect(new Set(names).size).toBe(names.length);
    for (const { owner, spec } of templates) {
      expect(objects.some((o) => o.kind === 'ServiceAccount' && o.metadata.name === spec.serviceAccountName && o.metadata.namespace === owner.metadata.namespace)).toBe(true);
      expect({ w: owner.metadata.name, token: spec.automountServiceAccountToken }).toEqual({ w: owner.metadata.name, token: apiClients.has(owner.metadata.name) });
    }
  });

  test('RBAC: no wildcards, no secrets, no write verbs, no cluster-admin', () => {
    const rbac = objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role');
    expect(rbac.length).toBeGreaterThan(0);
    for (const role of rbac) {
      for (const rule of role.rules ?? []) {
        expect(rule.verbs.every((v: string) => ['get', 'list', 'watch'].includes(v))).toBe(true);
        expect(rule.resources ?? []).not.toContain('*');
        expect(rule.resources ?? []).not.toContain('secrets');
        expect(rule.apiGroups ?? []).not.toContain('*');
      }
    }
    for (const binding of objects.filter((o) => o.kind.endsWith('RoleBinding'))) {
      expect(binding.roleRef.name).not.toBe('cluster-admin');
    }
  });

  test('every workload with state keeps it on a PVC that survives deletion', () => {
    for (const name of ['prometheus', 'alertmanager', 'loki', 'victoria-metrics']) {
      const sts = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === name)!;
      expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toMatch(/^\d+Gi$/);
      expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    }
    expect(objects.some((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === 'grafana-data')).toBe(true);
  });

  test('no plaintext credentials in any object', () => {
    const text = JSON.stringify(objects);
    const leaks = text.match(/"GF_SECURITY_ADMIN_PASSWORD","value"|admin\/admin|password:\s*\w|hooks\.slack\.com|api_url:|"password"/gi);
    expect(leaks).toBeNull();
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  test('pod templates of components with config files carry a checksum of it', () => {
    for (const name of ['prometheus', 'alertmanager', 'grafana', 'loki', 'otel-collector', 'fluentd']) {
      const owner = templates.find((t) => t.owner.metadata.name === name)!;
      expect(owner.metadata.annotations['checksum/config']).toMatch(/^[a-f0-9]{64}$/);
    }
  });
});

test('the minikube stack requests at most 1 CPU and 2 GiB', () => {
  const { summarize } = require('../src/summary') as typeof import('../src/summary');
  const { App } = require('cdk8s') as typeof import('cdk8s');
  const { buildStack } = require('../src/stack') as typeof import('../src/stack');
  const { charts } = buildStack(new App(), configOf('minikube'));
  const summary = summarize(charts);
  expect(summary.stack.cpuMillis).toBeLessThanOrEqual(1000);
  expect(summary.stack.memoryBytes).toBeLessThanOrEqual(2 * 2 ** 30);
});

test('the manifests do not grow with the number of FL clients', () => {
  const synth = (n: number): K8sObject[] => synthStack(configOf('minikube', { fl: { numClients: n, minClients: 1 } }));
  const ids = (objects: K8sObject[]): string[] => objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`);
  const [two, thousand] = [synth(2), synth(1000)];
  expect(ids(thousand)).toEqual(ids(two));
  // Only digits change (replica count, FL_NUM_CLIENTS, dashboard thresholds) and so the checksums that cover them.
  const normalize = (objects: K8sObject[]): string => JSON.stringify(objects).replace(/\b(2|1000)\b/g, 'N').replace(/[a-f0-9]{64}/g, 'CHECKSUM');
  expect(normalize(thousand)).toBe(normalize(two));
});

test('production adds PodDisruptionBudgets for replicated components', () => {
  const pdbs = synthStack(configOf('production')).filter((o: K8sObject) => o.kind === 'PodDisruptionBudget');
  expect(pdbs.map((p) => p.metadata.name).sort()).toEqual(['alertmanager', 'prometheus']);
  expect(synthStack(configOf('minikube')).filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
});

test.each(['minikube', 'production'] as const)('%s: exactly the workloads with more than one replica are spread over nodes and zones (soft)', (profile) => {
  const workloads = synthStack(configOf(profile)).filter((o: K8sObject) => ['Deployment', 'StatefulSet'].includes(o.kind));
  const spread = workloads.filter((o) => o.spec.template.spec.topologySpreadConstraints !== undefined);
  expect(spread.map((o) => o.metadata.name).sort()).toEqual(workloads.filter((o) => (o.spec.replicas ?? 1) > 1).map((o) => o.metadata.name).sort());
  expect(spread.map((o) => o.metadata.name)).toContain('fl-client');
  if (profile === 'production') expect(spread.map((o) => o.metadata.name)).toEqual(expect.arrayContaining(['alertmanager', 'prometheus']));
  for (const o of spread) {
    expect(o.spec.template.spec.topologySpreadConstraints).toEqual(
      ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'].map((topologyKey) => ({
        topologyKey,
        maxSkew: 1,
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: o.spec.selector.matchLabels },
      })),
    );
  }
});

test('disabled components synthesize nothing', () => {
  const objects = synthStack(configOf('minikube', { loki: { enabled: false }, otelCollector: { enabled: false }, fluentd: { enabled: false } }));
  const names = new Set(objects.map((o) => o.metadata.labels?.['app.kubernetes.io/name']));
  expect(names.has('loki')).toBe(false);
  expect(names.has('promtail')).toBe(false);
  expect(names.has('otel-collector')).toBe(false);
  expect(names.has('fluentd')).toBe(false);
});

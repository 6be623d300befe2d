import { configOf, podTemplates, synthStack } from '../helpers';

/**
 * The Pod Security Standards `restricted` profile, as documented (kubernetes.io/docs/concepts/security/
 * pod-security-standards): returns the violations of one pod spec.
 */
export function restrictedViolations(spec: any): string[] {
  const v: string[] = [];
  const allowedVolumes = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
  for (const vol of spec.volumes ?? []) {
    const type = Object.keys(vol).find((k) => k !== 'name');
    if (!allowedVolumes.includes(type ?? '')) v.push(`volume ${vol.name} is ${type}`);
  }
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) {
    if (spec[field] === true) v.push(`${field} is true`);
  }
  const podRunAsNonRoot = spec.securityContext?.runAsNonRoot === true;
  const podSeccomp = spec.securityContext?.seccompProfile?.type;
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    const sc = c.securityContext ?? {};
    if (sc.privileged === true) v.push(`${c.name}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) v.push(`${c.name}: allowPrivilegeEscalation is not false`);
    if (!(sc.runAsNonRoot === true || (podRunAsNonRoot && sc.runAsNonRoot !== false))) v.push(`${c.name}: runAsNonRoot is not true`);
    if (sc.runAsUser === 0 || spec.securityContext?.runAsUser === 0) v.push(`${c.name}: runs as uid 0`);
    const seccomp = sc.seccompProfile?.type ?? podSeccomp;
    if (!['RuntimeDefault', 'Localhost'].includes(seccomp)) v.push(`${c.name}: seccomp profile is ${seccomp}`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) v.push(`${c.name}: does not drop ALL capabilities`);
    for (const cap of sc.capabilities?.add ?? []) {
      if (cap !== 'NET_BIND_SERVICE') v.push(`${c.name}: adds capability ${cap}`);
    }
    for (const p of c.ports ?? []) {
      if (p.hostPort !== undefined && p.hostPort !== 0) v.push(`${c.name}: hostPort ${p.hostPort}`);
    }
  }
  return v;
}

describe.each(['minikube', 'production'] as const)('%s', (profile) => {
  const config = configOf(profile);
  const templates = podTemplates(synthStack(config));

  test('every pod outside the agents namespace satisfies the restricted profile', () => {
    const outside = templates.filter((t) => t.owner.metadata.namespace !== config.namespaces.agents);
    expect(outside.length).toBeGreaterThan(5);
    expect(Object.fromEntries(outside.map((t) => [t.owner.metadata.name, restrictedViolations(t.spec)]))).toEqual(Object.fromEntries(outside.map((t) => [t.owner.metadata.name, []])));
  });

  test('node agents deviate from restricted only by the documented host access', () => {
    // Accepted exceptions, each documented on its construct: what the agent needs and why.
    const accepted: Record<string, string[]> = {
      'node-exporter': ['volume proc is hostPath', 'volume sys is hostPath', 'volume root is hostPath', 'hostNetwork is true', 'hostPID is true', 'node-exporter: hostPort 9100'],
      'otel-collector': ['volume pods is hostPath', 'volume state is hostPath', 'otel-collector: runAsNonRoot is not true', 'otel-collector: runs as uid 0'],
      promtail: ['volume pods is hostPath', 'volume state is hostPath', 'promtail: runAsNonRoot is not true', 'promtail: runs as uid 0'],
      fluentd: ['volume containers is hostPath', 'volume pods is hostPath', 'volume state is hostPath', 'fluentd: runAsNonRoot is not true', 'fluentd: runs as uid 0'],
      'dcgm-exporter': ['volume pod-resources is hostPath', 'dcgm-exporter: runAsNonRoot is not true', 'dcgm-exporter: runs as uid 0'],
    };
    for (const t of templates.filter((x) => x.owner.metadata.namespace === config.namespaces.agents)) {
      expect({ agent: t.owner.metadata.name, violations: restrictedViolations(t.spec).sort() }).toEqual({ agent: t.owner.metadata.name, violations: accepted[t.owner.metadata.name].sort() });
    }
  });
});

test('the checker catches a non-compliant pod', () => {
  expect(restrictedViolations({ hostNetwork: true, volumes: [{ name: 'h', hostPath: { path: '/' } }], containers: [{ name: 'c', securityContext: { privileged: true, capabilities: { add: ['SYS_ADMIN'] } } }] })).toEqual([
    'volume h is hostPath',
    'hostNetwork is true',
    'c: privileged',
    'c: allowPrivilegeEscalation is not false',
    'c: runAsNonRoot is not true',
    'c: seccomp profile is undefined',
    'c: does not drop ALL capabilities',
    'c: adds capability SYS_ADMIN',
  ]);
});

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { namespaceLevels, PodSecurityLevel } from '../../src/components/namespaces/namespaces';
import type { StackConfig } from '../../src/config/schema';
import { resolveConfig } from '../../src/config/loader';
import { synthesize } from '../../src/synth';
import { WORKLOAD_KINDS } from '../../src/common/names';
import { configOf, type K8sObject } from '../helpers';
import { expectedClaims, Phases, readObjects, storageObjects, toYamlStream } from './cluster-fixtures';
import { type ControlPlane, startControlPlane } from './control-plane';

/*
 * `kubectl apply --server-side` of the synthesized manifests on a real control plane (etcd,
 * kube-apiserver, kube-controller-manager, kube-scheduler from k8s.io/kubernetes, KWOK simulating
 * the nodes and pod status; scripts/control-plane.sh), one fresh control plane per profile.
 *
 * What a real cluster would already have is created here, as a user or the cluster would:
 *  - storage: a default StorageClass `standard` (minikube's name; with no provisioner) and one
 *    PersistentVolume per claim the manifests will make (StatefulSet volumeClaimTemplates x
 *    replicas, standalone PVCs), pre-bound to that claim, since no provisioner runs here;
 *  - the Secrets the README says to create (grafana-admin; alertmanager-receivers in production).
 * Pods never run: KWOK only sets their status (Running, Ready) and fake IPs from 198.51.100.0/24,
 * which nothing here connects to.
 */

const PROFILES = ['minikube', 'production'] as const;
const GPU_NODE = 'kwok-gpu-0';
const READY_TIMEOUT_MS = 300_000;

function log(profile: string, line: string): void {
  process.stderr.write(`e2e[${profile}] ${line}\n`);
}

/** Names of the workloads that are not ready yet, with why. */
function notReady(items: any[]): string[] {
  const out: string[] = [];
  for (const o of items) {
    const id = `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;
    const s = o.status ?? {};
    if ((s.observedGeneration ?? 0) < o.metadata.generation) {
      out.push(`${id}: generation ${o.metadata.generation} not observed yet`);
      continue;
    }
    if (o.kind === 'DaemonSet') {
      const want = s.desiredNumberScheduled ?? 0;
      if (want === 0 || s.numberReady !== want || s.updatedNumberScheduled !== want || s.numberAvailable !== want) {
        out.push(`${id}: ${s.numberReady ?? 0}/${want} ready`);
      }
    } else {
      const want = o.spec.replicas ?? 1;
      if (s.readyReplicas !== want || s.updatedReplicas !== want || (o.kind === 'Deployment' && s.availableReplicas !== want)) {
        out.push(`${id}: ${s.readyReplicas ?? 0}/${want} ready, ${s.updatedReplicas ?? 0} updated`);
      }
    }
  }
  return out;
}

/** TCP sockets (`ss -tanp`) of the control plane's processes: state, local and peer address. */
function socketsOf(dir: string): { proc: string; state: string; local: string; peer: string }[] {
  const pids = new Map(
    readFileSync(join(dir, 'pids'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split('='))
      .map(([name, pid]) => [pid, name] as [string, string]),
  );
  const ss = spawnSync('ss', ['-tanpH'], { encoding: 'utf8' });
  if (ss.status !== 0) throw new Error(`ss -tanpH failed: ${ss.stderr}`);
  const out = [];
  for (const line of ss.stdout.split('\n')) {
    const [state, , , local, peer] = line.trim().split(/\s+/);
    for (const m of line.matchAll(/pid=(\d+)/g)) {
      const proc = pids.get(m[1]);
      if (proc !== undefined) out.push({ proc, state, local, peer });
    }
  }
  return out;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Production exposes its UIs through Ingresses here, so that the API server admits those too. */
const OVERRIDES: Readonly<Record<(typeof PROFILES)[number], Record<string, unknown>>> = {
  minikube: {},
  production: { ingress: { enabled: true, hosts: { grafana: 'grafana.fl.example.org', prometheus: 'prometheus.fl.example.org', alertmanager: 'alerts.fl.example.org' } } },
};

describe.each(PROFILES)('the %s profile on a real API server', (profile) => {
  const config: StackConfig = configOf(profile, OVERRIDES[profile]);
  let cp: ControlPlane | undefined;
  let dist = '';
  let objects: K8sObject[] = [];
  /** FLOBS_E2E_KEEP=1 keeps each control plane's state directory (certificates, logs). */
  const keep = process.env.FLOBS_E2E_KEEP === '1';

  const phases = new Phases((line) => log(profile, line));
  const phase = <T>(name: string, fn: () => T): T => phases.run(name, fn);

  function plane(): ControlPlane {
    if (cp === undefined) throw new Error('the control plane did not start (see beforeAll)');
    return cp;
  }

  beforeAll(() => {
    cp = phase('control plane start', () => startControlPlane());
    dist = mkdtempSync(join(tmpdir(), `flobs-e2e-${profile}-`));
    phase('synthesize', () => synthesize(config, dist));
    objects = readObjects(dist);
  }, 300_000);

  afterAll(() => {
    if (cp !== undefined) {
      phase('control plane stop', () => plane().stop(keep));
      if (keep) log(profile, `state and logs kept in ${plane().dir}`);
    }
    if (dist !== '') rmSync(dist, { recursive: true, force: true });
    log(profile, phases.summary());
  }, 120_000);

  test('no object makes the API server connect to a pod (webhooks, aggregated APIs)', () => {
    const dialing = objects.filter((o) => ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'APIService'].includes(o.kind));
    expect(dialing.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
  });

  test('the simulated GPU node is the one the stack selects', () => {
    const gpu = JSON.parse(plane().kubectl(['get', 'node', GPU_NODE, '-o', 'json']));
    for (const [k, v] of Object.entries(config.gpu.nodeSelector)) {
      expect([k, gpu.metadata.labels[k]]).toEqual([k, v]);
    }
    for (const taint of gpu.spec.taints as { key: string; effect: string }[]) {
      const tolerated = config.gpu.tolerations.some(
        (t) => t.key === taint.key && (t.effect === undefined || t.effect === taint.effect) && t.operator === 'Exists',
      );
      expect([taint.key, tolerated]).toEqual([taint.key, true]);
    }
  });

  test('every object is accepted by kubectl apply --server-side', () => {
    const k = plane();
    phase('storage (StorageClass, pre-bound PVs)', () => k.kubectl(['apply', '--server-side', '-f', '-'], toYamlStream(storageObjects(objects))));
    // As the README says: namespaces, then the Secrets, then everything.
    phase('namespaces', () => k.kubectl(['apply', '--server-side', '-f', join(dist, '00-namespaces.k8s.yaml')]));
    phase('secrets', () => {
      const admin = config.grafana.adminSecret;
      k.kubectl([
        '-n', config.namespaces.monitoring, 'create', 'secret', 'generic', admin.name,
        `--from-literal=${admin.userKey}=admin`, `--from-literal=${admin.passwordKey}=${randomBytes(18).toString('base64')}`,
      ]);
      const refs = config.alertmanager.receivers.flatMap((r: any) => Object.values(r).filter((v: any) => v?.name !== undefined && v?.key !== undefined)) as { name: string; key: string }[];
      const byName = new Map<string, string[]>();
      for (const r of refs) byName.set(r.name, [...(byName.get(r.name) ?? []), r.key]);
      for (const [name, keys] of [...byName].sort()) {
        k.kubectl([
          '-n', config.namespaces.monitoring, 'create', 'secret', 'generic', name,
          ...keys.sort().map((key) => `--from-literal=${key}=https://receiver.invalid/${key}`),
        ]);
      }
      if (profile === 'production') expect([...byName.keys()]).toEqual(['alertmanager-receivers']);
    });
    const applied = phase('kubectl apply --server-side dist/', () =>
      k.kubectlResult(['apply', '--server-side', '--field-manager', 'fl-observability-e2e', '-o', 'name', '-f', dist]),
    );
    expect(applied.stderr.split('\n').filter((l) => /error/i.test(l))).toEqual([]);
    expect(applied.status).toBe(0);
    const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? `.${apiVersion.split('/')[0]}` : '');
    const want = objects.map((o) => `${o.kind.toLowerCase()}${groupOf(o.apiVersion)}/${o.metadata.name}`).sort();
    const got = applied.stdout.trim().split('\n').sort();
    expect(got).toEqual(want);
    // Pod Security warnings: none at the restricted level (the monitoring and training namespaces
    // warn at restricted); the privileged agents namespace warns at baseline, about host access.
    const warnings = applied.stderr.split('\n').filter((l) => l.startsWith('Warning:'));
    for (const w of warnings) log(profile, `apply ${w}`);
    expect(warnings.filter((w) => w.includes('"restricted'))).toEqual([]);
  });

  test('the API server refuses exactly the scheduling fields the config schema refuses', () => {
    const k = plane();
    const cases: [string, Record<string, unknown>][] = [
      ["the profile's own", { tolerations: config.gpu.tolerations, nodeSelector: config.gpu.nodeSelector }],
      ['toleration Exists with a value', { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', value: 'true', effect: 'NoSchedule' }] }],
      ['toleration Equal with a value', { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }] }],
      ['toleration key with a space', { tolerations: [{ key: 'nvidia gpu', operator: 'Exists', effect: 'NoSchedule' }] }],
      ['node-selector value with a space', { nodeSelector: { gpu: 'yes please' } }],
      ['node-selector value of 63 characters', { nodeSelector: { gpu: 'x'.repeat(63) } }],
      ['node-selector value of 64 characters', { nodeSelector: { gpu: 'x'.repeat(64) } }],
      ['node-selector key with an upper-case prefix', { nodeSelector: { 'NVIDIA.com/gpu': 'true' } }],
      ['node-selector key with a prefix', { nodeSelector: { 'nvidia.com/gpu.present': 'true' } }],
    ];
    const verdicts = cases.map(([name, fields]) => {
      let schema = true;
      try {
        resolveConfig({ profile, overrides: { gpu: fields } });
      } catch {
        schema = false;
      }
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'e2e-scheduling', namespace: config.namespaces.agents }, spec: { ...fields, containers: [{ name: 'c', image: 'registry.invalid/e2e:1' }] } };
      const api = k.kubectlResult(['apply', '--server-side', '--dry-run=server', '-f', '-'], JSON.stringify(pod)).status === 0;
      return { name, schema, api };
    });
    expect(verdicts.filter((v) => v.schema !== v.api)).toEqual([]);
    expect(verdicts.filter((v) => !v.api).length).toBeGreaterThanOrEqual(4);
  });

  test('Pod Security admission enforces the namespace labels', () => {
    const k = plane();
    const levels = namespaceLevels(config);
    for (const [ns, level] of Object.entries(levels)) {
      const labels = JSON.parse(k.kubectl(['get', 'namespace', ns, '-o', 'json'])).metadata.labels;
      expect([ns, labels['pod-security.kubernetes.io/enforce']]).toEqual([ns, level]);
    }
    const restricted = Object.entries(levels).filter(([, l]) => l === PodSecurityLevel.RESTRICTED).map(([ns]) => ns);
    expect(restricted.length).toBeGreaterThan(0);
    const pod = (ns: string, name: string, securityContext: object, podSecurityContext: object = {}) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns },
      spec: {
        securityContext: podSecurityContext,
        containers: [{ name: 'c', image: 'registry.invalid/e2e:1', securityContext }],
      },
    });
    phase('Pod Security checks', () => {
      for (const ns of restricted) {
        const bad = k.kubectlResult(['apply', '--server-side', '-f', '-'], JSON.stringify(pod(ns, 'e2e-privileged', { privileged: true })));
        expect([ns, bad.status]).toEqual([ns, 1]);
        expect(bad.stderr).toContain('violates PodSecurity "restricted:latest"');
        expect(bad.stderr).toContain('privileged');
        // The same pod made compliant is admitted (server-side dry run): the rejection was Pod Security's.
        const good = k.kubectlResult(
          ['apply', '--server-side', '--dry-run=server', '-f', '-'],
          JSON.stringify(
            pod(
              ns,
              'e2e-compliant',
              { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true },
              { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: 'RuntimeDefault' } },
            ),
          ),
        );
        expect([ns, good.status, good.stderr]).toEqual([ns, 0, '']);
      }
    });
  });

  test('every Deployment, StatefulSet and DaemonSet becomes ready (DCGM exporter on the GPU node only)', () => {
    const k = plane();
    const expected = objects.filter((o) => WORKLOAD_KINDS.has(o.kind)).map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`).sort();
    expect(expected.length).toBeGreaterThan(0);
    let pending: string[] = ['(not checked yet)'];
    let items: any[] = [];
    phase('workloads ready', () => {
      const deadline = Date.now() + READY_TIMEOUT_MS;
      while (Date.now() < deadline) {
        items = JSON.parse(k.kubectl(['get', 'deployments,statefulsets,daemonsets', '-A', '-o', 'json'])).items;
        pending = notReady(items);
        if (pending.length === 0) break;
        sleep(1000);
      }
    });
    if (pending.length > 0) {
      const events = k.kubectlResult(['get', 'events', '-A', '--field-selector', 'type=Warning']).stdout;
      throw new Error(`not ready after ${READY_TIMEOUT_MS / 1000}s:\n${pending.join('\n')}\nwarning events:\n${events}`);
    }
    expect(items.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual(expected);

    // Where each DaemonSet's pods run.
    const pods = JSON.parse(k.kubectl(['get', 'pods', '-A', '-o', 'json'])).items as any[];
    const nodesOf = (ds: K8sObject) =>
      pods
        .filter((p) => p.metadata.namespace === ds.metadata.namespace && p.metadata.ownerReferences?.some((r: any) => r.kind === 'DaemonSet' && r.name === ds.metadata.name))
        .map((p) => p.spec.nodeName)
        .sort();
    const daemonSets = objects.filter((o) => o.kind === 'DaemonSet');
    for (const ds of daemonSets) log(profile, `DaemonSet ${ds.metadata.name} on ${nodesOf(ds).join(', ')}`);
    const dcgm = daemonSets.filter((o) => o.metadata.labels?.['app.kubernetes.io/name'] === 'dcgm-exporter');
    if (config.dcgmExporter.enabled) {
      expect(dcgm).toHaveLength(1);
      expect(nodesOf(dcgm[0])).toEqual([GPU_NODE]);
    } else {
      expect(dcgm).toEqual([]);
    }
    // Every pod of ours is Running and Ready, and bound claims are the pre-created volumes.
    const ours = pods.filter((p) => Object.keys(namespaceLevels(config)).includes(p.metadata.namespace));
    expect(ours.filter((p) => p.status.phase !== 'Running').map((p) => p.metadata.name)).toEqual([]);
    const pvcs = JSON.parse(k.kubectl(['get', 'pvc', '-A', '-o', 'json'])).items as any[];
    expect(pvcs.map((c) => `${c.metadata.namespace}/${c.metadata.name}=${c.status.phase}`).sort()).toEqual(
      expectedClaims(objects).map((c) => `${c.namespace}/${c.name}=Bound`).sort(),
    );
  });

  test('the control plane only ever used 127.0.0.1 (listening and connected sockets)', () => {
    const sockets = socketsOf(plane().dir);
    const procs = new Set(sockets.map((x) => x.proc));
    for (const p of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok']) {
      expect([p, procs.has(p)]).toEqual([p, true]);
    }
    const offLoopback = sockets.filter(
      (x) => !x.local.startsWith('127.0.0.1:') || !(x.peer.startsWith('127.0.0.1:') || (x.state === 'LISTEN' && x.peer.endsWith(':*'))),
    );
    expect(offLoopback).toEqual([]);
  });
});

import { mlflowRelease } from '../../../src/components/mlflow/component';
import { mlflowArgs, mlflowEnv } from '../../../src/components/mlflow/mlflow';
import { ComponentName } from '../../../src/common/names';
import { stackTopology } from '../../../src/component-list';
import { collectMonitoring } from '../../../src/monitoring/collect';
import { COMPONENTS } from '../../../src/component-list';
import { configOf, find, ofComponent, synthStack, type K8sObject } from '../../helpers';

const secret = (name: string, key: string) => ({ name, key });
const EXTERNAL = {
  mlflow: {
    enabled: true,
    backendStore: { type: 'postgresql', uri: secret('mlflow-db', 'uri') },
    artifacts: {
      type: 's3',
      bucket: 'fl-artifacts',
      prefix: 'mlflow',
      endpointUrl: 'https://minio.storage.svc:9000',
      region: 'eu-west-1',
      accessKeyId: secret('mlflow-s3', 'access-key-id'),
      secretAccessKey: secret('mlflow-s3', 'secret-access-key'),
    },
    url: 'https://mlflow.example.org',
  },
};

function container(objects: K8sObject[]): any {
  return find(objects, 'StatefulSet', 'mlflow').spec.template.spec.containers[0];
}

test('off on minikube, on in production: one StatefulSet with its volume, its Service, no token', () => {
  expect(ofComponent(synthStack(configOf('minikube')), ComponentName.MLFLOW)).toEqual([]);
  const objects = synthStack(configOf('production'));
  const sts = find(objects, 'StatefulSet', 'mlflow');
  expect(sts.metadata.namespace).toBe('fl-monitoring');
  expect(sts.spec.replicas).toBe(1);
  expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('50Gi');
  expect(sts.spec.template.spec.automountServiceAccountToken).toBe(false);
  expect(objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/name'] === 'mlflow' && /Role/.test(o.kind))).toEqual([]);
  expect(find(objects, 'Service', 'mlflow').spec.ports).toEqual([{ name: 'http', port: 5000, targetPort: 5000 }]);
  expect(sts.spec.template.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '5000', 'prometheus.io/path': '/metrics' });
});

test('the arguments of the default stores: SQLite and artifacts on the volume, served by the server, the exporter, the allowed hosts', () => {
  const config = configOf('production');
  const service = stackTopology(config).endpoint(ComponentName.MLFLOW);
  expect(mlflowArgs({ settings: config.mlflow, service })).toEqual([
    'server',
    '--host=0.0.0.0',
    '--port=5000',
    '--workers=2',
    '--backend-store-uri=sqlite:////mlflow/mlflow.db',
    '--serve-artifacts',
    '--artifacts-destination=/mlflow/artifacts',
    '--expose-prometheus=/tmp/prometheus-multiproc',
    '--allowed-hosts=mlflow.fl-monitoring.svc:5000,mlflow.fl-monitoring.svc.cluster.local:5000,$(POD_IP):5000,localhost:*,127.0.0.1:*',
    '--cors-allowed-origins=http://localhost:5000',
  ]);
  const c = container(synthStack(config));
  expect(c.command).toEqual(['mlflow']);
  expect(c.image).toBe('ghcr.io/mlflow/mlflow:v3.17.2-full');
  expect(c.env).toEqual([
    { name: 'MLFLOW_DISABLE_TELEMETRY', value: 'true' },
    { name: 'DO_NOT_TRACK', value: 'true' },
    { name: 'MLFLOW_SERVER_ENABLE_JOB_EXECUTION', value: 'false' },
    { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
  ]);
});

test('PostgreSQL and S3: URI and keys from Secrets, never inline; the bucket and the URL users open in the arguments', () => {
  const config = configOf('minikube', EXTERNAL);
  const objects = synthStack(config);
  const c = container(objects);
  expect(c.args).not.toContain(expect.stringMatching(/^--backend-store-uri/));
  expect(c.args).toEqual(expect.arrayContaining([
    '--artifacts-destination=s3://fl-artifacts/mlflow',
    '--cors-allowed-origins=https://mlflow.example.org',
    expect.stringMatching(/^--allowed-hosts=.*,mlflow\.example\.org$/),
  ]));
  const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
  expect(env).toMatchObject({
    MLFLOW_BACKEND_STORE_URI: { secretKeyRef: { name: 'mlflow-db', key: 'uri' } },
    AWS_ACCESS_KEY_ID: { secretKeyRef: { name: 'mlflow-s3', key: 'access-key-id' } },
    AWS_SECRET_ACCESS_KEY: { secretKeyRef: { name: 'mlflow-s3', key: 'secret-access-key' } },
    MLFLOW_S3_ENDPOINT_URL: 'https://minio.storage.svc:9000',
    AWS_DEFAULT_REGION: 'eu-west-1',
  });
  expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  // A change of the stores rolls the pod (the checksum covers flags and environment).
  const checksum = (objs: K8sObject[]) => find(objs, 'StatefulSet', 'mlflow').spec.template.metadata.annotations['checksum/config'];
  expect(checksum(objects)).not.toBe(checksum(synthStack(configOf('minikube', { mlflow: { enabled: true } }))));
  expect(mlflowEnv(config.mlflow).secrets).toEqual({
    MLFLOW_BACKEND_STORE_URI: secret('mlflow-db', 'uri'),
    AWS_ACCESS_KEY_ID: secret('mlflow-s3', 'access-key-id'),
    AWS_SECRET_ACCESS_KEY: secret('mlflow-s3', 'secret-access-key'),
  });
});

test('probes on /health (a startup probe for the first start, which migrates the database), restricted security, writable volume and scratch only', () => {
  const c = container(synthStack(configOf('production')));
  const get = (probe: any) => [probe.httpGet.path, probe.httpGet.port, probe.periodSeconds, probe.failureThreshold];
  expect([get(c.startupProbe), get(c.readinessProbe), get(c.livenessProbe)]).toEqual([
    ['/health', 5000, 5, 60],
    ['/health', 5000, 10, 3],
    ['/health', 5000, 30, 4],
  ]);
  expect(c.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  expect(c.volumeMounts.map((m: any) => m.mountPath)).toEqual(['/mlflow', '/tmp']);
  expect(c.resources).toEqual({ limits: { cpu: '2000m', memory: '2048Mi' }, requests: { cpu: '250m', memory: '1024Mi' } });
});

test('the FL server gets the tracking URI from the topology, and the experiment; none when MLflow is off', () => {
  const env = (config: ReturnType<typeof configOf>) =>
    Object.fromEntries(find(synthStack(config), 'Deployment', 'fl-server').spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
  expect(env(configOf('production'))).toMatchObject({
    MLFLOW_TRACKING_URI: 'http://mlflow.fl-monitoring.svc:5000',
    MLFLOW_EXPERIMENT_NAME: 'fl-training',
    FL_CHECKPOINT_EVERY_ROUNDS: '0',
  });
  const moved = configOf('production', { namespaces: { monitoring: 'obs' }, mlflow: { experimentName: 'team-a/fl', checkpointEveryRounds: 10 } });
  expect(env(moved)).toMatchObject({ MLFLOW_TRACKING_URI: 'http://mlflow.obs.svc:5000', MLFLOW_EXPERIMENT_NAME: 'team-a/fl', FL_CHECKPOINT_EVERY_ROUNDS: '10' });
  expect(Object.keys(env(configOf('minikube'))).filter((k) => k.startsWith('MLFLOW_'))).toEqual([]);
});

test('only the FL server and Prometheus reach it; users through kubectl port-forward', () => {
  const policy = find(synthStack(configOf('production')), 'NetworkPolicy', 'allow-mlflow');
  expect(policy.spec.ingress).toEqual([
    {
      ports: [{ port: 5000, protocol: 'TCP' }],
      from: [
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'fl-training' } }, podSelector: { matchLabels: expect.objectContaining({ 'app.kubernetes.io/name': 'fl-server' }) } },
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'fl-monitoring' } }, podSelector: { matchLabels: expect.objectContaining({ 'app.kubernetes.io/name': 'prometheus' }) } },
      ],
    },
  ]);
});

test('the FL overview links the training to its MLflow run at the URL users open; no link without MLflow', () => {
  const training = (config: ReturnType<typeof configOf>) => {
    const overview = collectMonitoring(config, COMPONENTS).dashboardDefs.find((d) => d.uid === 'fl-training-overview')!;
    return (overview.json.panels as any[]).find((p) => p.title === 'Training');
  };
  const panel = training(configOf('production', { mlflow: { url: 'https://mlflow.example.org/' } }));
  // The run id survives the aggregation: the link reads it from the series.
  expect(panel.targets[0].expr).toMatch(/^max by \(strategy, model, mlflow_run_id\) \(fl_training_info\{job="fl-server", namespace="\$namespace"/);
  expect(panel.fieldConfig.defaults.links).toEqual([
    expect.objectContaining({ title: 'Open the MLflow run', url: 'https://mlflow.example.org/#/runs/${__field.labels.mlflow_run_id}', targetBlank: true }),
  ]);
  expect(training(configOf('minikube')).fieldConfig.defaults.links).toBeUndefined();
});

test('the stack health dashboard has an MLflow row when it is deployed', () => {
  const rows = (config: ReturnType<typeof configOf>) =>
    ((collectMonitoring(config, COMPONENTS).dashboardDefs.find((d) => d.uid === 'fl-stack-health')!.json.panels as any[]).filter((p) => p.type === 'row').map((p) => p.title));
  expect(rows(configOf('production'))).toContain('MLflow');
  expect(rows(configOf('minikube'))).not.toContain('MLflow');
});

test('the virtualenv of the live test is named by the image\'s release', () => {
  expect(mlflowRelease('v3.17.2-full')).toBe('3.17.2');
  expect(mlflowRelease()).toBe('3.17.2');
  expect(() => mlflowRelease('latest')).toThrow('the mlflow image tag latest is not a release such as v3.17.2-full');
});

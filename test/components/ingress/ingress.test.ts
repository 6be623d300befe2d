/**
 * Ingresses for the UIs (issue 17): one per host of `ingress.hosts`, in its Service's namespace, TLS
 * from the configured Secret, routing to the Service the stack deploys; the UIs' external URLs follow.
 */
import { App } from 'cdk8s';
import { ConfigError } from '../../../src/config/loader';
import { stackTopology } from '../../../src/component-list';
import { buildStack, uiRoutes } from '../../../src/stack';
import { configOf, synthStack, type K8sObject } from '../../helpers';

const HOSTS = { grafana: 'grafana.fl.example.org', prometheus: 'prometheus.fl.example.org', alertmanager: 'alerts.fl.example.org' };
const EXPOSED = { ingress: { enabled: true, className: 'traefik', tlsSecret: 'fl-ui-cert', hosts: HOSTS } };

const argsOf = (objects: K8sObject[], name: string): string[] =>
  objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === name)!.spec.template.spec.containers[0].args as string[];

describe('UI ingresses', () => {
  const objects = synthStack(configOf('production', EXPOSED));
  const ingresses = objects.filter((o) => o.kind === 'Ingress');

  test('one Ingress per host, in the Service\'s namespace, with the class and the TLS Secret, routing / to that Service\'s port', () => {
    const services = objects.filter((o) => o.kind === 'Service');
    expect(ingresses.map((i) => i.metadata.name).sort()).toEqual(['alertmanager', 'grafana', 'prometheus']);
    for (const ingress of ingresses) {
      const host = HOSTS[ingress.metadata.name as keyof typeof HOSTS];
      const service = services.find((s) => s.metadata.name === ingress.metadata.name)!;
      expect(ingress.metadata.namespace).toBe(service.metadata.namespace);
      expect(ingress.spec).toEqual({
        ingressClassName: 'traefik',
        tls: [{ hosts: [host], secretName: 'fl-ui-cert' }],
        rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: service.metadata.name, port: { number: service.spec.ports[0].port } } } }] } }],
      });
    }
  });

  test('the exposed UIs link to their Ingress URL: Prometheus and Alertmanager --web.external-url, Grafana root_url', () => {
    expect(argsOf(objects, 'prometheus')).toContain(`--web.external-url=https://${HOSTS.prometheus}`);
    expect(argsOf(objects, 'alertmanager')).toContain(`--web.external-url=https://${HOSTS.alertmanager}`);
    const grafana = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'grafana')!;
    expect(grafana.spec.template.spec.containers[0].env).toContainEqual({ name: 'GF_SERVER_ROOT_URL', value: `https://${HOSTS.grafana}/` });
  });

  test('the routes (what the Pulumi program prints as uiUrls): the configured hosts of deployed UIs, with their Services', () => {
    const config = configOf('production', EXPOSED);
    expect(uiRoutes(config, stackTopology(config)).map((r) => [r.name, r.host, `${r.endpoint.namespace}/${r.endpoint.service}:${r.endpoint.port}`])).toEqual([
      ['grafana', HOSTS.grafana, 'fl-monitoring/grafana:3000'],
      ['prometheus', HOSTS.prometheus, 'fl-monitoring/prometheus:9090'],
      ['alertmanager', HOSTS.alertmanager, 'fl-monitoring/alertmanager:9093'],
    ]);
  });

  test('off by default and when disabled (hosts or not): no Ingress, the in-cluster external URLs', () => {
    const plain = synthStack(configOf('production'));
    const disabled = synthStack(configOf('production', { ingress: { ...EXPOSED.ingress, enabled: false } }));
    for (const o of [plain, disabled]) {
      expect(o.filter((x) => x.kind === 'Ingress')).toEqual([]);
      expect(argsOf(o, 'prometheus')).toContain('--web.external-url=http://prometheus.fl-monitoring.svc:9090');
    }
  });

  test('enabled without a host: nothing exposed, and synth says so', () => {
    const { charts, warnings } = buildStack(new App(), configOf('production', { ingress: { enabled: true } }));
    expect(charts.flatMap((c) => c.toJson() as K8sObject[]).filter((o) => o.kind === 'Ingress')).toEqual([]);
    expect(warnings).toContain('ingress.enabled is true but ingress.hosts names no UI: no Ingress is made');
  });

  test.each([
    ['a workload without UI', { 'node-exporter': 'nodes.example.org' }, 'minikube', 'ingress.hosts.node-exporter: node-exporter is not a UI this config deploys (its UIs: prometheus, alertmanager, grafana) (got "nodes.example.org")'],
    ['a UI this config does not deploy', { mlflow: 'mlflow.example.org' }, 'minikube', 'ingress.hosts.mlflow: mlflow is not a UI this config deploys (its UIs: prometheus, alertmanager, grafana) (got "mlflow.example.org")'],
  ] as const)('refuses a host for %s, naming the field and the value', (_name, hosts, profile, expected) => {
    let error: unknown;
    try {
      synthStack(configOf(profile, { ingress: { enabled: true, hosts } }));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(`\n  ${expected}`);
  });

  test('the config refuses a host that is not a DNS name, and a name that is no workload', () => {
    expect(() => configOf('minikube', { ingress: { hosts: { grafana: '10.0.0.1' } } })).toThrow('ingress.hosts.grafana: must be a lowercase DNS host name such as grafana.example.org (got "10.0.0.1")');
    expect(() => configOf('minikube', { ingress: { hosts: { grafna: 'g.example.org' } } })).toThrow('ingress.hosts: "grafna" is not a workload of the stack (got {"grafna":"g.example.org"})');
  });
});

import { parse as parseYaml } from 'yaml';
import { ComponentName } from '../../../src/common/names';
import { Scheme } from '../../../src/common/topology';
import { WEB_CONFIG_FILE, webConfigFile, WebTlsFiles } from '../../../src/common/web-tls';
import { stackTopology } from '../../../src/component-list';
import { prometheusConfig } from '../../../src/components/prometheus/config';
import { resolveConfig } from '../../../src/config/loader';
import { serviceProxyPath } from '../../../src/health/transport';
import { configOf, find, synthStack, type K8sObject } from '../../helpers';

/*
 * `webTls`: Prometheus and Alertmanager serve HTTPS with the web certificate Secret, and every
 * client follows the Services' scheme. The live proof is test/live/web-tls.test.ts.
 */
const HOSTS = { prometheus: 'prometheus.fl.example.org', alertmanager: 'alerts.fl.example.org', grafana: 'grafana.fl.example.org' };
const TLS = configOf('production', { webTls: { enabled: true }, ingress: { enabled: true, hosts: HOSTS } });
const PLAIN = configOf('production', { ingress: { enabled: true, hosts: HOSTS } });
const tls = synthStack(TLS);
const plain = synthStack(PLAIN);
const SERVERS = [ComponentName.PROMETHEUS, ComponentName.ALERTMANAGER] as const;

const container = (objects: K8sObject[], name: string) => find(objects, 'StatefulSet', name).spec.template.spec.containers[0];
const podSpec = (objects: K8sObject[], kind: string, name: string) => find(objects, kind, name).spec.template.spec;

test.each(SERVERS)('%s serves HTTPS with the Secret: web config, flag, HTTPS probes, the Secret mounted, scraped as HTTPS', (name) => {
  const c = container(tls, name);
  const configMap = tls.find((o) => o.kind === 'ConfigMap' && o.metadata.labels?.['app.kubernetes.io/name'] === name && o.data?.[WEB_CONFIG_FILE] !== undefined)!;
  expect(parseYaml(configMap.data![WEB_CONFIG_FILE])).toEqual(webConfigFile());
  expect(webConfigFile().tls_server_config).toEqual({ cert_file: WebTlsFiles.cert, key_file: WebTlsFiles.key, min_version: 'TLS12' });
  expect(c.args).toContain(`--web.config.file=${c.volumeMounts.find((m: { name: string }) => m.name === 'config').mountPath}/${WEB_CONFIG_FILE}`);
  for (const probe of [c.readinessProbe, c.livenessProbe]) expect(probe.httpGet.scheme).toBe('HTTPS');
  const volume = podSpec(tls, 'StatefulSet', name).volumes.find((v: { name: string }) => v.name === 'web-tls');
  expect(volume.secret).toEqual({ secretName: TLS.webTls.secret });
  expect(c.volumeMounts).toContainEqual({ name: 'web-tls', mountPath: '/etc/web-tls', readOnly: true });
  expect(find(tls, 'StatefulSet', name).spec.template.metadata.annotations).toMatchObject({ 'prometheus.io/scheme': 'https', 'fl-observability.io/web-tls': 'true' });
  // Off: none of it.
  const p = container(plain, name);
  expect(p.args.some((a: string) => a.startsWith('--web.config.file'))).toBe(false);
  expect(p.readinessProbe.httpGet.scheme).toBe('HTTP');
  expect(podSpec(plain, 'StatefulSet', name).volumes.some((v: { name: string }) => v.name === 'web-tls')).toBe(false);
});

test("Prometheus scrapes each HTTPS Service's pods in a job that verifies the certificate under its name, and alerts over HTTPS", () => {
  const file = prometheusConfig(TLS, stackTopology(TLS));
  const ns = TLS.namespaces.monitoring;
  const tlsJobs = file.scrape_configs.filter((j) => j.job_name.startsWith('kubernetes-pods-web-tls-'));
  expect(tlsJobs.map((j) => [j.job_name, j.tls_config])).toEqual([
    ['kubernetes-pods-web-tls-prometheus', { ca_file: WebTlsFiles.ca, server_name: `prometheus.${ns}.svc` }],
    ['kubernetes-pods-web-tls-alertmanager', { ca_file: WebTlsFiles.ca, server_name: `alertmanager.${ns}.svc` }],
  ]);
  // Each annotated pod is scraped by one job: the others drop the web-TLS pods.
  for (const job of file.scrape_configs.filter((j) => j.job_name.startsWith('kubernetes-pods') && !j.job_name.includes('web-tls'))) {
    expect(job.relabel_configs).toContainEqual({ source_labels: ['__meta_kubernetes_pod_annotation_fl_observability_io_web_tls'], regex: 'true', action: 'drop' });
  }
  expect(file.alerting!.alertmanagers[0]).toMatchObject({ scheme: 'https', tls_config: { ca_file: WebTlsFiles.ca, server_name: `alertmanager.${ns}.svc` } });
  expect(prometheusConfig(PLAIN, stackTopology(PLAIN)).scrape_configs.some((j) => j.job_name.includes('web-tls'))).toBe(false);
});

test("Grafana's Prometheus and Alertmanager datasources use HTTPS and verify with the CA, of which only ca.crt is mounted", () => {
  const cm = find(tls, 'ConfigMap', 'grafana-provisioning');
  const datasources = (parseYaml(cm.data!['datasources.yaml']) as { datasources: { uid: string; url: string; jsonData: Record<string, unknown>; secureJsonData?: Record<string, string> }[] }).datasources;
  for (const uid of ['prometheus', 'alertmanager']) {
    const ds = datasources.find((d) => d.uid === uid)!;
    expect([uid, ds.url.startsWith('https://'), ds.jsonData.tlsAuthWithCACert, ds.secureJsonData]).toEqual([uid, true, true, { tlsCACert: `$__file{${WebTlsFiles.ca}}` }]);
  }
  expect(datasources.find((d) => d.uid === 'loki')!.secureJsonData).toBeUndefined();
  const volume = podSpec(tls, 'Deployment', 'grafana').volumes.find((v: { name: string }) => v.name === 'web-tls');
  expect(volume.secret).toEqual({ secretName: TLS.webTls.secret, items: [{ key: 'ca.crt', path: 'ca.crt' }] });
});

test('Thanos Rule (central) sends to an HTTPS Alertmanager with an alerting config that verifies it, with only ca.crt mounted', () => {
  const central = resolveConfig({ profile: 'central', overrides: { webTls: { enabled: true } } });
  const objects = synthStack(central);
  const c = podSpec(objects, 'StatefulSet', 'thanos-rule').containers[0];
  const arg = (c.args as string[]).find((a) => a.startsWith('--alertmanagers.'))!;
  expect(arg.startsWith('--alertmanagers.config=')).toBe(true);
  expect(parseYaml(arg.slice('--alertmanagers.config='.length))).toEqual({
    alertmanagers: [
      {
        scheme: 'https',
        api_version: 'v2',
        static_configs: [`alertmanager.${central.namespaces.monitoring}.svc:9093`],
        http_config: { tls_config: { ca_file: WebTlsFiles.ca, server_name: `alertmanager.${central.namespaces.monitoring}.svc` } },
      },
    ],
  });
  expect(podSpec(objects, 'StatefulSet', 'thanos-rule').volumes.find((v: { name: string }) => v.name === 'web-tls').secret.items).toEqual([{ key: 'ca.crt', path: 'ca.crt' }]);
  const off = podSpec(synthStack(resolveConfig({ profile: 'central' })), 'StatefulSet', 'thanos-rule').containers[0].args as string[];
  expect(off).toContain(`--alertmanagers.url=http://alertmanager.${central.namespaces.monitoring}.svc:9093`);
});

test('the Ingresses of HTTPS Services tell ingress-nginx to connect over HTTPS; the health CLI proxies with https:', () => {
  for (const name of SERVERS) {
    expect(find(tls, 'Ingress', name).metadata.annotations).toEqual({ 'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS' });
    expect(find(plain, 'Ingress', name).metadata.annotations).toBeUndefined();
    const endpoint = stackTopology(TLS).endpoint(name);
    expect(endpoint.scheme).toBe(Scheme.HTTPS);
    expect(serviceProxyPath(endpoint, '/-/ready')).toBe(`/api/v1/namespaces/${TLS.namespaces.monitoring}/services/https:${name}:${endpoint.port}/proxy/-/ready`);
  }
  expect(find(tls, 'Ingress', 'grafana').metadata.annotations).toBeUndefined();
});

test('the external URL of each follows its scheme', () => {
  const args = container(synthStack(configOf('production', { webTls: { enabled: true } })), 'alertmanager').args as string[];
  expect(args).toContain(`--web.external-url=https://alertmanager.${TLS.namespaces.monitoring}.svc:9093`);
});

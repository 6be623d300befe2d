import { App } from 'cdk8s';
import { parse } from 'yaml';
import { stackTopology } from '../../../src/component-list';
import { prometheusConfig } from '../../../src/components/prometheus/config';
import { agentSecretNames, siteScrapeJobs, vmagentArgs, vmagentScrapeFile } from '../../../src/components/vmagent/config';
import { resolveConfig } from '../../../src/config/loader';
import { buildStack } from '../../../src/stack';
import { summarize } from '../../../src/summary';
import { find, ofComponent, synthStack } from '../../helpers';

const URL = 'https://receive.central.example.org:19291/api/v1/receive';
const siteConfig = (vmagent: Record<string, unknown> = {}) =>
  resolveConfig({ profile: 'site', overrides: { clusterName: 'hospital-a', vmagent: { remoteWrite: { url: URL }, ...vmagent } } });

test('the site agent sends with its client certificate, the central CA, the site label and an on-disk queue', () => {
  const config = siteConfig();
  expect(vmagentScrapeFile(config, prometheusConfig(config, stackTopology(config)).scrape_configs).global).toEqual({ scrape_interval: '30s', external_labels: { site: 'hospital-a', cluster: 'hospital-a' } });
  expect(vmagentArgs({ settings: config.vmagent, clusterName: config.clusterName })).toEqual([
    '-promscrape.config=/etc/vmagent/config/scrape.yml',
    `-remoteWrite.url=${URL}`,
    '-remoteWrite.forcePromProto=true',
    '-sortLabels=true',
    '-remoteWrite.queues=1',
    '-remoteWrite.retryMaxInterval=30s',
    '-remoteWrite.headers=THANOS-TENANT:hospital-a',
    '-remoteWrite.tlsCertFile=/etc/vmagent/secrets/vmagent-client-tls/tls.crt',
    '-remoteWrite.tlsKeyFile=/etc/vmagent/secrets/vmagent-client-tls/tls.key',
    '-remoteWrite.tlsCAFile=/etc/vmagent/secrets/vmagent-client-tls/ca.crt',
    '-remoteWrite.tmpDataPath=/queue',
    '-remoteWrite.maxDiskUsagePerURL=1610612736',
    '-httpListenAddr=:8429',
    '-loggerFormat=json',
  ]);
});

test('bearer and basic credentials are read from Secret files; the site name may differ from the cluster', () => {
  const bearer = siteConfig({ site: 'site-a', remoteWrite: { url: URL, auth: { type: 'bearer', token: { name: 'central', key: 'token' } }, tls: { serverName: 'receive.central' } } });
  const args = vmagentArgs({ settings: bearer.vmagent, clusterName: bearer.clusterName });
  expect(args).toEqual(expect.arrayContaining(['-remoteWrite.bearerTokenFile=/etc/vmagent/secrets/central/token', '-remoteWrite.tlsServerName=receive.central', '-remoteWrite.headers=THANOS-TENANT:site-a']));
  expect(vmagentScrapeFile(bearer, prometheusConfig(bearer, stackTopology(bearer)).scrape_configs).global).toEqual({ scrape_interval: '30s', external_labels: { site: 'site-a', cluster: 'hospital-a' } });
  expect(args.some((a) => a.startsWith('-remoteWrite.tlsCertFile'))).toBe(false);
  const basic = siteConfig({ remoteWrite: { url: URL, auth: { type: 'basic', username: 'site-a', password: { name: 'central', key: 'password' } } } });
  expect(vmagentArgs({ settings: basic.vmagent, clusterName: basic.clusterName })).toEqual(
    expect.arrayContaining(['-remoteWrite.basicAuth.username=site-a', '-remoteWrite.basicAuth.passwordFile=/etc/vmagent/secrets/central/password']),
  );
  expect(agentSecretNames(basic.vmagent)).toEqual(['central', 'vmagent-client-tls']);
});

test('it scrapes with exactly the stack\'s pod and Service discovery jobs (the kubelet jobs aside)', () => {
  const config = siteConfig();
  const topology = stackTopology(config);
  const prometheusJobs = prometheusConfig(config, topology).scrape_configs.filter((j) => !['kubelet', 'cadvisor'].includes(j.job_name));
  expect(siteScrapeJobs(prometheusConfig(config, topology).scrape_configs)).toEqual(prometheusJobs);
  // and the agent is built with the jobs the Prometheus spec offers the stack
  const sts = synthStack(config).find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('vmagent'));
  expect(sts?.data?.['scrape.yml']).toContain('job_name: kubernetes-pods');
});

describe('the site profile', () => {
  const config = siteConfig();
  const objects = synthStack(config);

  test('deploys the FL workload, the exporters and vmagent; no Prometheus, Alertmanager, Grafana, Loki, VictoriaMetrics or log agent', () => {
    const names = [...new Set(objects.filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind)).map((o) => o.metadata.name))].sort();
    expect(names).toEqual(['fl-client', 'fl-server', 'kube-state-metrics', 'node-exporter', 'vmagent']);
  });

  test('vmagent: a StatefulSet whose queue lives on a retained volume; its scrape config is mounted and checksummed', () => {
    const sts = find(objects, 'StatefulSet', 'vmagent');
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('2Gi');
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    const container = sts.spec.template.spec.containers[0];
    expect(container.volumeMounts.map((m: { mountPath: string }) => m.mountPath)).toEqual(['/etc/vmagent/config', '/etc/vmagent/secrets/vmagent-client-tls', '/queue']);
    expect(sts.spec.template.metadata.annotations['checksum/config']).toMatch(/^[a-f0-9]{64}$/);
    const scrape = parse(find(objects, 'ConfigMap', 'vmagent-config').data!['scrape.yml']);
    expect(scrape.scrape_configs.map((j: { job_name: string }) => j.job_name)).toContain('kubernetes-pods');
  });

  test('vmagent discovers pods only in the namespaces it scrapes, read-only', () => {
    const roles = ofComponent(objects, 'vmagent').filter((o) => o.kind === 'Role');
    expect(roles.map((r) => r.metadata.namespace).sort()).toEqual(['fl-agents', 'fl-monitoring', 'fl-training']);
    for (const role of roles) expect(role.rules![0].verbs).toEqual(['get', 'list', 'watch']);
  });

  test('the scraped ports admit vmagent (the scraper a site deploys)', () => {
    const flows = objects
      .filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name !== 'default-deny-ingress')
      .flatMap((p) => p.spec.ingress.flatMap((rule: any) => rule.ports.map((port: any) => `${(rule.from ?? []).map((f: any) => f.podSelector.matchLabels['app.kubernetes.io/name']).join(',') || '*'} -> ${p.spec.podSelector.matchLabels['app.kubernetes.io/name']}:${port.port}`)))
      .sort();
    expect(flows).toEqual([
      'fl-client -> fl-server:9092',
      'vmagent -> fl-client:8081',
      'vmagent -> fl-server:8081',
      'vmagent -> kube-state-metrics:8080',
      'vmagent -> kube-state-metrics:8081',
      'vmagent -> vmagent:8429',
    ]);
  });

  test('its footprint fits beside an FL client on a small node: the stack requests at most 0.25 CPU and 256 MiB', () => {
    const { charts } = buildStack(new App(), config);
    const summary = summarize(charts);
    expect(summary.stack.cpuMillis).toBeLessThanOrEqual(250);
    expect(summary.stack.memoryBytes).toBeLessThanOrEqual(256 * 2 ** 20);
    expect(summary.stack).toEqual({ cpuMillis: 90, memoryBytes: 160 * 2 ** 20 });
  });
});

/**
 * A cross-silo federation on loopback, from the generated manifests: the central profile's Thanos
 * Receive hashring (mutual TLS, a filesystem bucket), Store Gateway, Query and Rule, and sites whose
 * vmagent runs its generated site config. The Thanos and vmagent flags are the synthesized containers'
 * args with only addresses and paths rewritten: listen addresses and the pods' DNS names to loopback
 * ports, mounted Secrets, ConfigMaps and volumes to a directory, and a site's central URL to Receive
 * replica 0 (in a cluster a LoadBalancer spreads the sites over every replica). `$(POD_NAME)` is
 * expanded as the kubelet does. Used by the live cross-silo test and the cross-silo benchmark.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { ManifestObject } from '../../src/common/manifest';
import { resolveConfig } from '../../src/config/loader';
import type { StackConfig } from '../../src/config/schema';
import { find, synthStack, type K8sObject } from '../helpers';
import { freePort, start, type Started } from '../health/processes';
import type { LocalCluster } from '../local/cluster';
import { toStatic, type WithDiscovery } from '../local/kubernetes-sd';
import { localPods } from '../local/pods';
import { tool } from '../tools';

export const LOOPBACK = '127.0.0.1';
/** The name the Receive endpoint's certificate carries; the sites verify it (tlsServerName). */
export const RECEIVE_SERVER_NAME = 'receive.central.test';

/** The args of a workload's first container, as synthesized. */
export function argsOf(objects: readonly K8sObject[], kind: string, name: string): string[] {
  return find([...objects], kind, name).spec.template.spec.containers[0].args as string[];
}

/** Replaces every key by its value in every arg, longest keys first (an address map, a path map). */
export function rewrite(args: readonly string[], map: Readonly<Record<string, string>>): string[] {
  const keys = Object.keys(map).sort((a, b) => b.length - a.length);
  return args.map((arg) => keys.reduce((a, k) => a.split(k).join(map[k]), arg));
}

/** A site's config: the site profile writing to the central endpoint under {@link RECEIVE_SERVER_NAME}. */
export function siteConfig(site: string, overrides: Readonly<Record<string, unknown>> = {}): StackConfig {
  return resolveConfig({
    profile: 'site',
    overrides: {
      clusterName: site,
      fl: { numClients: 1, minClients: 1 },
      vmagent: { remoteWrite: { url: `https://${RECEIVE_SERVER_NAME}:19291/api/v1/receive`, tls: { serverName: RECEIVE_SERVER_NAME } } },
      ...overrides,
    },
  });
}

/** The endpoints of the started central store. */
export interface CentralEndpoints {
  readonly queryUrl: string;
  readonly storeGateway: Started;
}

/** The central store and the sites of one federation, in one directory. */
export class Federation {
  readonly receives: Started[] = [];
  readonly agents: Record<string, Started> = {};
  /** The Store Gateway and Query {@link startCentral} started. */
  storeGateway: Started | undefined;
  query: Started | undefined;
  readonly centralObjects: K8sObject[];
  /** The filesystem bucket Receive uploads to. */
  readonly bucketDir: string;
  /** How each process was started (args, HTTP port), to start it again. */
  private readonly launches = new Map<string, { command: string; args: string[]; port: number; readyPath: string }>();
  /** The pods' DNS names (the hashring's endpoints, Query's endpoints) → loopback. */
  private readonly dns: Record<string, string> = {};
  private rwPort0 = 0;
  private queryHttp = 0;

  constructor(
    private readonly dir: string,
    readonly central: StackConfig,
    readonly sites: readonly string[],
  ) {
    this.centralObjects = synthStack(central);
    this.bucketDir = join(dir, 'bucket');
  }

  /** Receive replica 0's remote-write port (where every site writes). */
  get remoteWritePort(): number {
    return this.rwPort0;
  }

  private openssl(...args: string[]): void {
    execFileSync('openssl', args, { cwd: this.dir, stdio: 'ignore' });
  }

  /** A CA, the Receive endpoint's certificate and one client certificate per site (CommonName = the site). */
  private makeCertificates(): void {
    const key = (name: string): string[] => ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`];
    this.openssl('req', '-x509', ...key('ca'), '-out', 'ca.crt', '-days', '1', '-subj', '/CN=flobs-test-federation-ca');
    const sign = (name: string, cn: string, ext: string): void => {
      this.openssl('req', ...key(name), '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
      writeFileSync(join(this.dir, `${name}.ext`), ext);
      this.openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', '-extfile', `${name}.ext`);
    };
    sign('server', RECEIVE_SERVER_NAME, `subjectAltName=DNS:${RECEIVE_SERVER_NAME},IP:${LOOPBACK}\nextendedKeyUsage=serverAuth\n`);
    for (const site of this.sites) sign(site, site, 'extendedKeyUsage=clientAuth\n');
  }

  /** Copies files of the directory into `target` (a mounted Secret's directory). */
  private secretDir(target: string, files: Readonly<Record<string, string>>): string {
    mkdirSync(target, { recursive: true });
    for (const [name, source] of Object.entries(files)) writeFileSync(join(target, name), readFileSync(join(this.dir, source)));
    return target;
  }

  /** Starts a process and remembers how, for {@link restart}. */
  async launch(name: string, command: string, args: string[], port: number, readyPath: string): Promise<Started> {
    this.launches.set(name, { command, args, port, readyPath });
    return start(name, command, args, { port, readyPath, timeoutMs: 90_000 });
  }

  /** Starts a stopped process again with the same args (and so the same data directories). */
  restart(name: string): Promise<Started> {
    const l = this.launches.get(name)!;
    return start(name, l.command, l.args, { port: l.port, readyPath: l.readyPath, timeoutMs: 90_000 });
  }

  /** The certificates, the Receive hashring, the Store Gateway and Query. */
  async startCentral(): Promise<CentralEndpoints> {
    const { dir, central, centralObjects, dns } = this;
    this.makeCertificates();
    // The bucket: Thanos's filesystem provider, in place of the S3-compatible Secret of production.
    mkdirSync(this.bucketDir);
    const objstore = join(dir, 'objstore');
    mkdirSync(objstore);
    writeFileSync(join(objstore, central.thanos.objectStorage.key), stringify({ type: 'FILESYSTEM', config: { directory: this.bucketDir } }));
    const tls = this.secretDir(join(dir, 'receive-tls'), { 'tls.crt': 'server.crt', 'tls.key': 'server.key', 'ca.crt': 'ca.crt' });

    const replicas = central.thanos.receive.replicas;
    const ns = central.namespaces.monitoring;
    const ports = await Promise.all(Array.from({ length: replicas }, async () => ({ http: await freePort(), grpc: await freePort(), rw: await freePort(), capnproto: await freePort() })));
    const store = { http: await freePort(), grpc: await freePort() };
    this.rwPort0 = ports[0]!.rw;
    dns[`thanos-store.${ns}.svc:10901`] = `${LOOPBACK}:${store.grpc}`;
    ports.forEach((p, i) => (dns[`thanos-receive-${i}.thanos-receive-headless.${ns}.svc:10901`] = `${LOOPBACK}:${p.grpc}`));
    const hashringDir = join(dir, 'hashring');
    mkdirSync(hashringDir);
    const hashringText = find([...centralObjects], 'ConfigMap', 'thanos-receive-hashring').data!['hashrings.json'] as string;
    writeFileSync(join(hashringDir, 'hashrings.json'), rewrite([hashringText], dns)[0]!);
    const mounts = { '/etc/thanos/objstore': objstore, '/etc/thanos/tls': tls, '/etc/thanos/hashring': hashringDir };

    const receiveArgs = argsOf(centralObjects, 'StatefulSet', 'thanos-receive');
    for (let i = 0; i < replicas; i++) {
      const pod = `thanos-receive-${i}`;
      const args = rewrite(
        receiveArgs.map((a) => a.split('$(POD_NAME)').join(pod)),
        {
          ...dns,
          ...mounts,
          '0.0.0.0:10902': `${LOOPBACK}:${ports[i]!.http}`,
          '0.0.0.0:10901': `${LOOPBACK}:${ports[i]!.grpc}`,
          '0.0.0.0:19291': `${LOOPBACK}:${ports[i]!.rw}`,
          '127.0.0.1:19391': `${LOOPBACK}:${ports[i]!.capnproto}`,
          '/var/thanos/data': join(dir, pod),
        },
      );
      this.receives.push(await this.launch(pod, tool('thanos'), args, ports[i]!.http, '/-/ready'));
    }
    const storeArgs = rewrite(argsOf(centralObjects, 'StatefulSet', 'thanos-store'), {
      ...mounts,
      '0.0.0.0:10902': `${LOOPBACK}:${store.http}`,
      '0.0.0.0:10901': `${LOOPBACK}:${store.grpc}`,
      '/var/thanos/data': join(dir, 'thanos-store-0'),
    });
    const storeGateway = await this.launch('thanos-store-0', tool('thanos'), storeArgs, store.http, '/-/ready');
    this.storeGateway = storeGateway;
    this.query = await this.startQuery('thanos-query', { storeOnly: false });
    return { queryUrl: this.query.url, storeGateway };
  }

  /** A Query with the generated args; `storeOnly`: without Receive's endpoints (what the bucket serves). */
  async startQuery(name: string, options: { readonly storeOnly: boolean }): Promise<Started> {
    const ns = this.central.namespaces.monitoring;
    const q = { http: await freePort(), grpc: await freePort() };
    const generated = argsOf(this.centralObjects, 'Deployment', 'thanos-query');
    const args = rewrite(options.storeOnly ? generated.filter((a) => !a.startsWith('--endpoint=') || a.includes(`thanos-store.${ns}.svc`)) : generated, {
      ...this.dns,
      '0.0.0.0:10902': `${LOOPBACK}:${q.http}`,
      '0.0.0.0:10901': `${LOOPBACK}:${q.grpc}`,
    });
    if (!options.storeOnly) this.queryHttp = q.http;
    return this.launch(name, tool('thanos'), args, q.http, '/-/ready');
  }

  /** Thanos Rule with the generated federation rules over Query, alerting to the Alertmanager API at `alertmanagerPort`. */
  async startRule(alertmanagerPort: number): Promise<Started> {
    const ns = this.central.namespaces.monitoring;
    const rulesDir = join(this.dir, 'rules');
    mkdirSync(rulesDir);
    for (const [name, text] of Object.entries(find([...this.centralObjects], 'ConfigMap', 'thanos-rule-rules').data!)) writeFileSync(join(rulesDir, name), text as string);
    const r = { http: await freePort(), grpc: await freePort() };
    const ruleArgs = rewrite(
      argsOf(this.centralObjects, 'StatefulSet', 'thanos-rule').map((a) => a.split('$(POD_NAME)').join('thanos-rule-0')),
      {
        '0.0.0.0:10902': `${LOOPBACK}:${r.http}`,
        '0.0.0.0:10901': `${LOOPBACK}:${r.grpc}`,
        '/etc/thanos/rules': rulesDir,
        '/var/thanos/data': join(this.dir, 'thanos-rule-0'),
        [`thanos-query.${ns}.svc:10902`]: `${LOOPBACK}:${this.queryHttp}`,
        [`alertmanager.${ns}.svc:9093`]: `${LOOPBACK}:${alertmanagerPort}`,
      },
    );
    return this.launch('thanos-rule-0', tool('thanos'), ruleArgs, r.http, '/-/ready');
  }

  /**
   * A site's vmagent with its generated config, scraping its FL client at `exporterPort` (the pods
   * discovery would list become static targets: the generated relabelling runs as generated).
   */
  async startSite(site: string, config: StackConfig, exporterPort: number): Promise<Started> {
    const objects = synthStack(config);
    const siteDir = join(this.dir, site);
    const agentPort = await freePort();
    const cluster: LocalCluster = {
      pods: [
        ...localPods(find(objects, 'StatefulSet', 'fl-client') as ManifestObject, { nodeName: 'local-node', portFor: () => exporterPort }),
        ...localPods(find(objects, 'StatefulSet', 'vmagent') as ManifestObject, { nodeName: 'local-node', portFor: () => agentPort }),
      ],
      services: [],
    };
    const scrape = parse(find(objects, 'ConfigMap', 'vmagent-config').data!['scrape.yml']) as { scrape_configs: WithDiscovery[] };
    const local = { ...scrape, scrape_configs: scrape.scrape_configs.map((job) => toStatic(job, cluster, `${site} scrape.yml`)) };
    mkdirSync(siteDir);
    writeFileSync(join(siteDir, 'scrape.yml'), stringify(local));
    this.secretDir(join(siteDir, 'secrets', 'vmagent-client-tls'), { 'tls.crt': `${site}.crt`, 'tls.key': `${site}.key`, 'ca.crt': 'ca.crt' });
    const args = rewrite(argsOf(objects, 'StatefulSet', 'vmagent'), {
      '/etc/vmagent/config/scrape.yml': join(siteDir, 'scrape.yml'),
      '/etc/vmagent/secrets': join(siteDir, 'secrets'),
      '-remoteWrite.tmpDataPath=/queue': `-remoteWrite.tmpDataPath=${join(siteDir, 'queue')}`,
      '-httpListenAddr=:8429': `-httpListenAddr=${LOOPBACK}:${agentPort}`,
      [`${RECEIVE_SERVER_NAME}:19291`]: `${LOOPBACK}:${this.rwPort0}`,
    });
    const agent = await this.launch(`vmagent-${site}`, tool('vmagent'), args, agentPort, '/health');
    this.agents[site] = agent;
    return agent;
  }
}

import { Construct } from 'constructs';
import type { StackConfig } from '../../config/schema';
import { configFiles } from '../../common/config-file';
import { ComponentName, ComponentRole } from '../../common/names';
import { scrapeAnnotations } from '../../common/scrape';
import type { ScrapeConfig } from '../../common/scrape-config';
import {
  claimVolume,
  componentClusterRole,
  componentService,
  componentServiceAccount,
  containerPorts,
  containerResources,
  httpProbe,
  imageOf,
  objectMeta,
  restrictedContainerSecurity,
  statefulWorkload,
  type ComponentIdentity,
  type ComponentProps,
} from '../../common/workload';
import { kplus } from '../../k8s';
import { VmagentApi } from './api';
import { agentSecretNames, CONFIG_DIR, CONFIG_FILE, discoveredNamespaces, QUEUE_DIR, SECRETS_DIR, vmagentArgs, vmagentScrapeFile } from './config';
import { toYaml } from '../../common/yaml';

/** Props of {@link Vmagent}. */
export interface VmagentProps extends ComponentProps {
  /** The whole config: the agent scrapes with the stack's scrape jobs and sends with its `vmagent` slice. */
  readonly config: StackConfig;
  /** The stack's discovery scrape jobs, which the agent scrapes with (the kubelet ones aside). */
  readonly scrapeJobs: readonly ScrapeConfig[];
}

/** The `nobody` user: the queue volume is owned by it (fsGroup). */
const VMAGENT_UID = 65534;

const HTTP = { name: 'http', port: VmagentApi.port };

/**
 * vmagent, a site's metrics agent: discovers and scrapes the site's pods with the stack's scrape
 * jobs, adds the `site` label, and remote-writes to the central store through an on-disk queue on
 * its volume (a StatefulSet: the queue survives restarts and outages of the central store).
 */
export class Vmagent extends Construct {
  /** The rendered scrape.yml. */
  public readonly configText: string;
  public readonly identity: ComponentIdentity;

  constructor(scope: Construct, id: string, props: VmagentProps) {
    super(scope, id);
    const slice = props.config.vmagent;
    this.identity = { name: ComponentName.VMAGENT, role: ComponentRole.METRICS_AGENT, namespace: props.namespace, image: props.image };
    const me = this.identity;
    const scrape = vmagentScrapeFile(props.config, props.scrapeJobs);
    this.configText = toYaml(scrape);
    const args = vmagentArgs({ settings: slice, clusterName: props.config.clusterName });

    // Discovery reads pods, Services and endpoints of the scraped namespaces only.
    const serviceAccount = componentServiceAccount(this, me);
    const namespaces = discoveredNamespaces(scrape.scrape_configs);
    const resources = [kplus.ApiResource.PODS, kplus.ApiResource.SERVICES, kplus.ApiResource.ENDPOINTS];
    if (namespaces === undefined) {
      componentClusterRole(this, me, serviceAccount).allow(['get', 'list', 'watch'], ...resources);
    } else {
      for (const ns of namespaces) {
        const role = new kplus.Role(this, `role-${ns}`, { metadata: { ...objectMeta(me), namespace: ns } });
        role.allow(['get', 'list', 'watch'], ...resources);
        new kplus.RoleBinding(this, `binding-${ns}`, { metadata: { ...objectMeta(me), namespace: ns }, role }).addSubjects(serviceAccount);
      }
    }

    // The flags carry no credential (only file paths); a change of them rolls the pod like the file's.
    const config = configFiles(this, me, { files: { [CONFIG_FILE]: this.configText }, mountPath: CONFIG_DIR, alsoChecksummed: args });
    const secretMounts = agentSecretNames(slice).map((name, i) => ({
      path: `${SECRETS_DIR}/${name}`,
      volume: kplus.Volume.fromSecret(this, `secret-${name}`, kplus.Secret.fromSecretName(this, `secret-ref-${name}`, name), { name: `secret-${i}` }),
      readOnly: true,
    }));
    const sts = statefulWorkload(this, me, {
      replicas: 1,
      user: VMAGENT_UID,
      serviceAccount,
      apiAccess: true,
      annotations: { ...config.annotations, ...scrapeAnnotations(HTTP.port) },
      storage: slice.storage,
      ports: [HTTP],
    });
    const health = { path: VmagentApi.health, port: HTTP.port };
    sts.addContainer({
      name: 'vmagent',
      ...imageOf(me),
      args,
      ports: containerPorts([HTTP]),
      resources: containerResources(slice.resources),
      securityContext: restrictedContainerSecurity(VMAGENT_UID),
      readiness: httpProbe(health),
      liveness: httpProbe({ ...health, periodSeconds: 30, failureThreshold: 6 }),
      volumeMounts: [config.mount, ...secretMounts, { path: QUEUE_DIR, volume: claimVolume(this, 'data') }],
    });
    componentService(this, 'service', me, [HTTP]);
  }
}

import { Construct } from 'constructs';
import type { StackConfig } from '../../config/schema';
import { ComponentName, ComponentRole, Ports } from '../../common/names';
import { scrapeAnnotations } from '../../common/scrape';
import {
  agentContainerSecurity,
  componentServiceAccount,
  containerPorts,
  containerResources,
  daemonWorkload,
  hostVolume,
  httpProbe,
  imageOf,
  ROOT_USER,
  type ComponentIdentity,
  type ComponentProps,
} from '../../common/workload';
import { kplus } from '../../k8s';

/** Props of {@link DcgmExporter}. */
export interface DcgmExporterProps extends ComponentProps {
  /** Its slice of the config: resources. */
  readonly settings: StackConfig['dcgmExporter'];
  /** Where the GPU nodes are: node selector, tolerations, runtime class. */
  readonly gpu: StackConfig['gpu'];
}

const METRICS = { name: 'metrics', port: Ports.dcgmExporter };
/** Its health endpoint. */
const HEALTH_PATH = '/health';
/** The kubelet's pod-resources socket directory: which pod uses which GPU. */
const POD_RESOURCES_DIR = '/var/lib/kubelet/pod-resources';

/**
 * NVIDIA DCGM exporter on GPU nodes only (node selector, tolerations and runtime class from
 * `gpu`). Host access, and why: read-only kubelet pod-resources socket directory, to label GPU
 * metrics with the pod using the GPU. It runs as root because DCGM's host engine needs the NVIDIA
 * device files the runtime injects; no capability is added (profiling metrics, which need
 * SYS_ADMIN, are left off) and it is not privileged.
 */
export class DcgmExporter extends Construct {
  public readonly identity: ComponentIdentity;

  constructor(scope: Construct, id: string, props: DcgmExporterProps) {
    super(scope, id);
    const { gpu } = props;
    this.identity = { name: ComponentName.DCGM_EXPORTER, role: ComponentRole.EXPORTER, namespace: props.namespace, image: props.image };
    const me = this.identity;
    const ds = daemonWorkload(this, me, {
      user: ROOT_USER,
      serviceAccount: componentServiceAccount(this, me),
      annotations: scrapeAnnotations(METRICS.port, { honorLabels: true }),
      nodeSelector: gpu.nodeSelector,
      tolerations: gpu.tolerations,
      ...(gpu.runtimeClassName === undefined ? {} : { runtimeClassName: gpu.runtimeClassName }),
    });
    ds.addContainer({
      name: 'dcgm-exporter',
      ...imageOf(me),
      envVariables: {
        DCGM_EXPORTER_LISTEN: kplus.EnvValue.fromValue(`:${METRICS.port}`),
        DCGM_EXPORTER_KUBERNETES: kplus.EnvValue.fromValue('true'),
        NODE_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.NODE_NAME),
      },
      ports: containerPorts([METRICS]),
      resources: containerResources(props.settings.resources),
      securityContext: { ...agentContainerSecurity(ROOT_USER), readOnlyRootFilesystem: false },
      readiness: httpProbe({ path: HEALTH_PATH, port: METRICS.port }),
      liveness: httpProbe({ path: HEALTH_PATH, port: METRICS.port, periodSeconds: 30, failureThreshold: 5 }),
      volumeMounts: [{ path: POD_RESOURCES_DIR, volume: hostVolume(this, 'pod-resources', POD_RESOURCES_DIR), readOnly: true }],
    });
  }
}

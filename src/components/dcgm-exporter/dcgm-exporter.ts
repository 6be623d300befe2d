import { Construct } from 'constructs';
import type { StackConfig } from '../../config/schema';
import { ComponentName, ComponentRole, Ports } from '../../common/names';
import { scrapeAnnotations } from '../../common/scrape';
import {
  agentContainerSecurity,
  componentServiceAccount,
  containerResources,
  daemonWorkload,
  hostVolume,
  httpProbe,
  imageOf,
  resolveImage,
  type ComponentIdentity,
} from '../../common/workload';
import { kplus } from '../../k8s';

/** Props of {@link DcgmExporter}. */
export interface DcgmExporterProps {
  readonly config: StackConfig;
}

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
    const slice = props.config.dcgmExporter;
    const gpu = props.config.gpu;
    this.identity = { name: ComponentName.DCGM_EXPORTER, role: ComponentRole.EXPORTER, namespace: props.config.namespaces.agents, image: resolveImage('dcgmExporter', slice.image) };
    const me = this.identity;
    const ds = daemonWorkload(this, me, {
      user: 0,
      serviceAccount: componentServiceAccount(this, me),
      annotations: scrapeAnnotations(Ports.dcgmExporter, { honorLabels: true }),
      nodeSelector: gpu.nodeSelector,
      tolerations: gpu.tolerations,
      ...(gpu.runtimeClassName === undefined ? {} : { runtimeClassName: gpu.runtimeClassName }),
    });
    ds.addContainer({
      name: 'dcgm-exporter',
      ...imageOf(me),
      envVariables: {
        DCGM_EXPORTER_LISTEN: kplus.EnvValue.fromValue(`:${Ports.dcgmExporter}`),
        DCGM_EXPORTER_KUBERNETES: kplus.EnvValue.fromValue('true'),
        NODE_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.NODE_NAME),
      },
      ports: [{ name: 'metrics', number: Ports.dcgmExporter }],
      resources: containerResources(slice.resources),
      securityContext: { ...agentContainerSecurity(0), readOnlyRootFilesystem: false },
      readiness: httpProbe('/health', Ports.dcgmExporter, 10),
      liveness: httpProbe('/health', Ports.dcgmExporter, 30, 5),
      volumeMounts: [{ path: '/var/lib/kubelet/pod-resources', volume: hostVolume(this, 'pod-resources', '/var/lib/kubelet/pod-resources'), readOnly: true }],
    });
  }
}

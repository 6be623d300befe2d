import { Construct } from 'constructs';
import type { StackConfig } from '../../config/schema';
import { PART_OF } from '../../common/names';
import { kplus } from '../../k8s';

/** Pod Security Standards levels, as the admission controller names them. */
export enum PodSecurityLevel {
  RESTRICTED = 'restricted',
  BASELINE = 'baseline',
  PRIVILEGED = 'privileged',
}

/** The Pod Security level each of the stack's namespaces enforces. */
export function namespaceLevels(config: Pick<StackConfig, 'namespaces'>): Readonly<Record<string, PodSecurityLevel>> {
  return {
    [config.namespaces.monitoring]: PodSecurityLevel.RESTRICTED,
    [config.namespaces.training]: PodSecurityLevel.RESTRICTED,
    // node-exporter needs hostNetwork/hostPID/hostPath, log agents read host logs: only `privileged`
    // admits them. Warnings and audit stay at `baseline` so anything beyond host access is reported.
    [config.namespaces.agents]: PodSecurityLevel.PRIVILEGED,
  };
}

/** Props of {@link Namespaces}. */
export interface NamespacesProps {
  /** The config's namespaces (the only part it reads). */
  readonly config: Pick<StackConfig, 'namespaces'>;
}

/** The stack's namespaces with their Pod Security labels. */
export class Namespaces extends Construct {
  constructor(scope: Construct, id: string, props: NamespacesProps) {
    super(scope, id);
    for (const [name, level] of Object.entries(namespaceLevels(props.config))) {
      const reportLevel = level === PodSecurityLevel.PRIVILEGED ? PodSecurityLevel.BASELINE : level;
      new kplus.Namespace(this, name, {
        metadata: {
          name,
          labels: {
            'app.kubernetes.io/part-of': PART_OF,
            'pod-security.kubernetes.io/enforce': level,
            'pod-security.kubernetes.io/enforce-version': 'latest',
            'pod-security.kubernetes.io/warn': reportLevel,
            'pod-security.kubernetes.io/warn-version': 'latest',
            'pod-security.kubernetes.io/audit': reportLevel,
            'pod-security.kubernetes.io/audit-version': 'latest',
          },
        },
      });
    }
  }
}

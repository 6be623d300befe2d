// The Pulumi program as a function: Pulumi config in, stack outputs out. `pulumi up` (Pulumi.yaml)
// runs it through index.ts; the Automation API runs it in-process as an inline program
// (`LocalWorkspace.createOrSelectStack({ stackName, projectName, program: flObservabilityProgram })`),
// which needs no Node.js language host. The stack config is the same typed config `npm run synth`
// reads (STACK_CONFIG / STACK_PROFILE of the process); Pulumi config only says where and how to deploy it.
import * as pulumi from '@pulumi/pulumi';
import { FlObservability } from './component';

/** The stack outputs (`pulumi stack output`). */
export interface FlObservabilityOutputs {
  /** The kube context the stack is deployed through. */
  readonly kubeContext: string;
  /** The profile the objects were synthesized for. */
  readonly profile: string;
  /** The image each FL / Fluentd workload runs (content-tagged when built). */
  readonly images: FlObservability['images'];
  /** `kubectl port-forward` commands for Grafana, Prometheus and Alertmanager. */
  readonly portForward: Readonly<Record<string, string>>;
  /** The https URLs of the UIs an Ingress exposes (empty without `ingress.hosts`). */
  readonly uiUrls: Readonly<Record<string, string>>;
  /** Prints the Grafana admin password from the cluster's Secret. */
  readonly grafanaAdminPasswordCommand: string | undefined;
  /** The Grafana admin password, a secret: `pulumi stack output grafanaAdminPassword --show-secrets`. */
  readonly grafanaAdminPassword: pulumi.Output<string> | undefined;
  /** Objects deployed without readiness await, and why. */
  readonly notAwaited: Readonly<Record<string, string>>;
}

/** Declares the stack's resources from the Pulumi config of the current stack; returns its outputs. */
export function flObservabilityProgram(): FlObservabilityOutputs {
  const cfg = new pulumi.Config();
  const kubeContext = cfg.get('kubeContext') ?? 'minikube';
  const stack = new FlObservability('fl-observability', {
    kubeContext,
    buildImages: cfg.getBoolean('buildImages') ?? true,
    // Unset: what `eval $(minikube docker-env)` exported, if anything (else the local daemon).
    dockerHost: cfg.get('dockerHost') ?? process.env.DOCKER_HOST,
    dockerCertPath: cfg.get('dockerCertPath') ?? process.env.DOCKER_CERT_PATH,
    grafanaAdminPassword: cfg.getSecret('grafanaAdminPassword'),
    adoptExisting: cfg.getBoolean('adoptExisting') ?? false,
  });
  return {
    kubeContext,
    profile: stack.config.profile,
    images: stack.images,
    portForward: stack.portForward,
    uiUrls: stack.uiUrls,
    grafanaAdminPasswordCommand: stack.grafanaAdminPasswordCommand,
    grafanaAdminPassword: stack.grafanaAdminPassword,
    notAwaited: Object.fromEntries(stack.skipAwait),
  };
}

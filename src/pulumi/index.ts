// The Pulumi program (Pulumi.yaml runs the esbuild bundle lib/pulumi/index.js of this file; build it
// with `node scripts/build-pulumi.mjs`). The stack config is the same typed config `npm run synth`
// reads (STACK_CONFIG / STACK_PROFILE); Pulumi config only says where and how to deploy it.
import * as pulumi from '@pulumi/pulumi';
import { FlObservability } from './component';

const cfg = new pulumi.Config();
const kubeContextSetting = cfg.get('kubeContext') ?? 'minikube';

const stack = new FlObservability('fl-observability', {
  kubeContext: kubeContextSetting,
  buildImages: cfg.getBoolean('buildImages') ?? true,
  // Unset: what `eval $(minikube docker-env)` exported, if anything (else the local daemon).
  dockerHost: cfg.get('dockerHost') ?? process.env.DOCKER_HOST,
  dockerCertPath: cfg.get('dockerCertPath') ?? process.env.DOCKER_CERT_PATH,
  grafanaAdminPassword: cfg.getSecret('grafanaAdminPassword'),
  adoptExisting: cfg.getBoolean('adoptExisting') ?? false,
});

/** The kube context the stack is deployed through. */
export const kubeContext = kubeContextSetting;
/** The profile the objects were synthesized for. */
export const profile = stack.config.profile;
/** The image each FL / Fluentd workload runs (content-tagged when built). */
export const images = stack.images;
/** `kubectl port-forward` commands for Grafana, Prometheus and Alertmanager. */
export const portForward = stack.portForward;
/** Prints the Grafana admin password from the cluster's Secret. */
export const grafanaAdminPasswordCommand = stack.grafanaAdminPasswordCommand;
/** The Grafana admin password, a secret: `pulumi stack output grafanaAdminPassword --show-secrets`. */
export const grafanaAdminPassword = stack.grafanaAdminPassword;
/** Objects deployed without readiness await, and why. */
export const notAwaited = Object.fromEntries(stack.skipAwait);

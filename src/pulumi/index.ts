// The entry point of `pulumi up` (Pulumi.yaml runs the esbuild bundle lib/pulumi/index.js of this file;
// build it with `node scripts/build-pulumi.mjs`): the program of program.ts, its outputs exported.
import { flObservabilityProgram } from './program';

const outputs = flObservabilityProgram();

/** The kube context the stack is deployed through. */
export const kubeContext = outputs.kubeContext;
/** The profile the objects were synthesized for. */
export const profile = outputs.profile;
/** The image each FL / Fluentd workload runs (content-tagged when built). */
export const images = outputs.images;
/** `kubectl port-forward` commands for Grafana, Prometheus and Alertmanager. */
export const portForward = outputs.portForward;
/** The https URLs of the UIs an Ingress exposes (empty without `ingress.hosts`). */
export const uiUrls = outputs.uiUrls;
/** Prints the Grafana admin password from the cluster's Secret. */
export const grafanaAdminPasswordCommand = outputs.grafanaAdminPasswordCommand;
/** The Grafana admin password, a secret: `pulumi stack output grafanaAdminPassword --show-secrets`. */
export const grafanaAdminPassword = outputs.grafanaAdminPassword;
/** Objects deployed without readiness await, and why. */
export const notAwaited = outputs.notAwaited;

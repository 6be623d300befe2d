/**
 * The one place that names the cdk8s-plus flavour. cdk8s-plus-28 is frozen upstream (it targets
 * Kubernetes 1.28); moving to a newer cdk8s-plus is a change of this line and package.json.
 */
export * as kplus from 'cdk8s-plus-28';
export { k8s } from 'cdk8s-plus-28';

import { Construct } from 'constructs';
import type { StackConfig } from '../../config/schema';
import { checksumAnnotation } from '../../common/config-file';
import { ComponentName, ComponentRole } from '../../common/names';
import { scrapeAnnotations } from '../../common/scrape';
import { componentService, componentServiceAccount, deploymentWorkload, type ComponentIdentity, type ComponentProps } from '../../common/workload';
import { queryArgs } from './config';
import { GRPC, HTTP, THANOS_UID, thanosContainer } from './pod';

/** Props of {@link ThanosQuery}. */
export interface ThanosQueryProps extends ComponentProps {
  readonly settings: StackConfig['thanos'];
}

/** Thanos Query: the Prometheus HTTP API over every Receive replica and the Store Gateway, deduplicated. */
export class ThanosQuery extends Construct {
  public readonly identity: ComponentIdentity;

  constructor(scope: Construct, id: string, props: ThanosQueryProps) {
    super(scope, id);
    this.identity = { name: ComponentName.THANOS_QUERY, role: ComponentRole.METRICS_STORAGE, namespace: props.namespace, image: props.image };
    const me = this.identity;
    const args = queryArgs({ settings: props.settings, namespace: props.namespace });
    const deployment = deploymentWorkload(this, me, {
      replicas: props.settings.query.replicas,
      user: THANOS_UID,
      serviceAccount: componentServiceAccount(this, me),
      annotations: { ...checksumAnnotation(...args), ...scrapeAnnotations(HTTP.port) },
    });
    deployment.addContainer(thanosContainer({ me, args, ports: [HTTP, GRPC], resources: props.settings.query.resources, volumeMounts: [] }));
    componentService(this, 'service', me, [HTTP, GRPC]);
  }
}

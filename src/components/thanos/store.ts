import { Construct } from 'constructs';
import type { StackConfig } from '../../config/schema';
import { checksumAnnotation } from '../../common/config-file';
import { ComponentName, ComponentRole } from '../../common/names';
import { scrapeAnnotations } from '../../common/scrape';
import { claimVolume, componentService, componentServiceAccount, statefulWorkload, type ComponentIdentity, type ComponentProps } from '../../common/workload';
import { storeArgs, ThanosPaths } from './config';
import { GRPC, HTTP, objstoreMount, THANOS_UID, thanosContainer } from './pod';

/** Props of {@link ThanosStore}. */
export interface ThanosStoreProps extends ComponentProps {
  readonly settings: StackConfig['thanos'];
}

/** Thanos Store Gateway: the bucket's blocks as a Store API, index caches on its volume. */
export class ThanosStore extends Construct {
  public readonly identity: ComponentIdentity;

  constructor(scope: Construct, id: string, props: ThanosStoreProps) {
    super(scope, id);
    this.identity = { name: ComponentName.THANOS_STORE, role: ComponentRole.METRICS_STORAGE, namespace: props.namespace, image: props.image };
    const me = this.identity;
    const args = storeArgs({ settings: props.settings, namespace: props.namespace });
    const sts = statefulWorkload(this, me, {
      replicas: 1,
      user: THANOS_UID,
      serviceAccount: componentServiceAccount(this, me),
      annotations: { ...checksumAnnotation(...args), ...scrapeAnnotations(HTTP.port) },
      storage: props.settings.store.storage,
      ports: [HTTP, GRPC],
    });
    sts.addContainer(
      thanosContainer({
        me,
        args,
        ports: [HTTP, GRPC],
        resources: props.settings.store.resources,
        volumeMounts: [objstoreMount(this, props.settings.objectStorage), { path: ThanosPaths.dataDir, volume: claimVolume(this, 'data') }],
      }),
    );
    componentService(this, 'service', me, [HTTP, GRPC]);
  }
}

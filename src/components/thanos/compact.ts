import { Construct } from 'constructs';
import type { StackConfig } from '../../config/schema';
import { checksumAnnotation } from '../../common/config-file';
import { ComponentName, ComponentRole } from '../../common/names';
import { scrapeAnnotations } from '../../common/scrape';
import { claimVolume, componentService, componentServiceAccount, statefulWorkload, type ComponentIdentity, type ComponentProps } from '../../common/workload';
import { compactArgs, ThanosPaths } from './config';
import { HTTP, objstoreMount, THANOS_UID, thanosContainer } from './pod';

/** Props of {@link ThanosCompact}. */
export interface ThanosCompactProps extends ComponentProps {
  readonly settings: StackConfig['thanos'];
}

/** Thanos Compactor: the one writer that compacts, deduplicates, downsamples and expires the bucket's blocks. */
export class ThanosCompact extends Construct {
  public readonly identity: ComponentIdentity;

  constructor(scope: Construct, id: string, props: ThanosCompactProps) {
    super(scope, id);
    this.identity = { name: ComponentName.THANOS_COMPACT, role: ComponentRole.METRICS_STORAGE, namespace: props.namespace, image: props.image };
    const me = this.identity;
    const args = compactArgs({ settings: props.settings, namespace: props.namespace });
    // Exactly one replica: two compactors on one bucket corrupt it.
    const sts = statefulWorkload(this, me, {
      replicas: 1,
      user: THANOS_UID,
      serviceAccount: componentServiceAccount(this, me),
      annotations: { ...checksumAnnotation(...args), ...scrapeAnnotations(HTTP.port) },
      storage: props.settings.compact.storage,
      ports: [HTTP],
    });
    sts.addContainer(
      thanosContainer({
        me,
        args,
        ports: [HTTP],
        resources: props.settings.compact.resources,
        volumeMounts: [objstoreMount(this, props.settings.objectStorage), { path: ThanosPaths.dataDir, volume: claimVolume(this, 'data') }],
      }),
    );
    componentService(this, 'service', me, [HTTP]);
  }
}

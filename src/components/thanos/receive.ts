import { Construct } from 'constructs';
import type { StackConfig } from '../../config/schema';
import { configFiles } from '../../common/config-file';
import { ComponentName, ComponentRole } from '../../common/names';
import { scrapeAnnotations } from '../../common/scrape';
import { claimVolume, componentService, componentServiceAccount, statefulWorkload, type ComponentIdentity, type ComponentProps } from '../../common/workload';
import { kplus } from '../../k8s';
import { hashrings, receiveArgs, ThanosPaths } from './config';
import { GRPC, HTTP, objstoreMount, REMOTE_WRITE, secretMount, THANOS_UID, thanosContainer } from './pod';

/** Props of {@link ThanosReceive}. */
export interface ThanosReceiveProps extends ComponentProps {
  /** The `thanos` slice: replicas, replication factor, TLS Secret, object storage. */
  readonly settings: StackConfig['thanos'];
}

/**
 * Thanos Receive: a StatefulSet of hashring replicas (stable DNS names are the ring's endpoints),
 * each with its TSDB volume, taking remote writes over mutual TLS and uploading blocks to the bucket.
 */
export class ThanosReceive extends Construct {
  /** The rendered hashrings.json. */
  public readonly hashringText: string;
  public readonly identity: ComponentIdentity;

  constructor(scope: Construct, id: string, props: ThanosReceiveProps) {
    super(scope, id);
    const slice = props.settings;
    this.identity = { name: ComponentName.THANOS_RECEIVE, role: ComponentRole.METRICS_STORAGE, namespace: props.namespace, image: props.image };
    const me = this.identity;
    const values = { settings: slice, namespace: props.namespace };
    this.hashringText = `${JSON.stringify(hashrings(values), null, 2)}\n`;
    const args = receiveArgs(values);
    const hashring = configFiles(this, me, { id: 'hashring', files: { [ThanosPaths.hashringFile]: this.hashringText }, mountPath: ThanosPaths.hashringDir, alsoChecksummed: args });
    const ports = [HTTP, GRPC, REMOTE_WRITE];
    const sts = statefulWorkload(this, me, {
      replicas: slice.receive.replicas,
      user: THANOS_UID,
      serviceAccount: componentServiceAccount(this, me),
      annotations: { ...hashring.annotations, ...scrapeAnnotations(HTTP.port) },
      // On shutdown a replica cuts and uploads its head block.
      terminationGraceSeconds: 120,
      storage: slice.receive.storage,
      ports,
    });
    sts.addContainer(
      thanosContainer({
        me,
        args,
        ports,
        resources: slice.receive.resources,
        env: { POD_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME) },
        volumeMounts: [
          hashring.mount,
          objstoreMount(this, slice.objectStorage),
          secretMount(this, 'tls', slice.receive.tlsSecret, ThanosPaths.tlsDir),
          { path: ThanosPaths.dataDir, volume: claimVolume(this, 'data') },
        ],
      }),
    );
    componentService(this, 'service', me, ports);
  }
}

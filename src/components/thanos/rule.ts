import { Construct } from 'constructs';
import { configFiles } from '../../common/config-file';
import { ComponentName, ComponentRole } from '../../common/names';
import { scrapeAnnotations } from '../../common/scrape';
import { claimVolume, componentService, componentServiceAccount, statefulWorkload, type ComponentIdentity, type ComponentProps } from '../../common/workload';
import type { Storage, Resources } from '../../config/schema';
import { kplus } from '../../k8s';
import { Scheme } from '../../common/topology';
import { webTlsMount } from '../../common/web-tls';
import { ruleArgs, RULES_DIR, ThanosPaths, type RuleValues } from './config';
import { GRPC, HTTP, THANOS_UID, thanosContainer } from './pod';

/** Props of {@link ThanosRule}. */
export interface ThanosRuleProps extends ComponentProps, Omit<RuleValues, 'namespace'> {
  /** Rule file name → YAML of the federation's mixins. */
  readonly ruleFiles: Readonly<Record<string, string>>;
  readonly resources: Resources;
  /** Its TSDB of rule results. */
  readonly storage: Storage;
  /** The web certificate Secret (`webTls`) whose `ca.crt` verifies an HTTPS Alertmanager. */
  readonly webTlsCaSecret: string;
}

/** Thanos Rule: the federation's rules over Thanos Query (every site's series), its alerts to Alertmanager. */
export class ThanosRule extends Construct {
  public readonly identity: ComponentIdentity;

  constructor(scope: Construct, id: string, props: ThanosRuleProps) {
    super(scope, id);
    this.identity = { name: ComponentName.THANOS_RULE, role: ComponentRole.ALERTING, namespace: props.namespace, image: props.image };
    const me = this.identity;
    const args = ruleArgs({ ...props, namespace: props.namespace });
    const names = Object.keys(props.ruleFiles).sort();
    const rules = configFiles(this, me, { id: 'rules', files: Object.fromEntries(names.map((n) => [n, props.ruleFiles[n]])), mountPath: RULES_DIR, alsoChecksummed: args });
    const sts = statefulWorkload(this, me, {
      replicas: 1,
      user: THANOS_UID,
      serviceAccount: componentServiceAccount(this, me),
      annotations: { ...rules.annotations, ...scrapeAnnotations(HTTP.port) },
      storage: props.storage,
      ports: [HTTP, GRPC],
    });
    sts.addContainer(
      thanosContainer({
        me,
        args,
        ports: [HTTP, GRPC],
        resources: props.resources,
        env: { POD_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME) },
        volumeMounts: [
          rules.mount,
          { path: ThanosPaths.dataDir, volume: claimVolume(this, 'data') },
          // Alertmanager served with the web certificate: its CA, to verify it.
          ...(props.alertmanager?.scheme === Scheme.HTTPS ? [webTlsMount(this, props.webTlsCaSecret, { caOnly: true })] : []),
        ],
      }),
    );
    componentService(this, 'service', me, [HTTP, GRPC]);
  }
}

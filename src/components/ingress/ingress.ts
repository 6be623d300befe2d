import { Construct } from 'constructs';
import { PART_OF, type ComponentName } from '../../common/names';
import { Scheme, type Endpoint } from '../../common/topology';

/** ingress-nginx's annotation for the protocol it speaks to the backend Service. */
const NGINX_BACKEND_PROTOCOL = 'nginx.ingress.kubernetes.io/backend-protocol';
import type { StackConfig } from '../../config/schema';
import { k8s } from '../../k8s';

/** A UI to expose: its workload, the host users open, and its Service. */
export interface UiRoute {
  readonly name: ComponentName;
  readonly host: string;
  readonly endpoint: Endpoint;
}

/** Props of {@link UiIngresses}. */
export interface UiIngressesProps {
  /** The config's ingress slice (class, TLS Secret). */
  readonly settings: Pick<StackConfig['ingress'], 'className' | 'tlsSecret'>;
  /** The deployed UIs the config gives a host, from the component specs. */
  readonly routes: readonly UiRoute[];
}

/** One Ingress per exposed UI, in its Service's namespace: its host, TLS from the Secret, every path to the Service. */
export class UiIngresses extends Construct {
  constructor(scope: Construct, id: string, props: UiIngressesProps) {
    super(scope, id);
    for (const route of props.routes) {
      new k8s.KubeIngress(this, route.name, {
        metadata: {
          name: route.name,
          namespace: route.endpoint.namespace,
          labels: { 'app.kubernetes.io/name': route.name, 'app.kubernetes.io/part-of': PART_OF, 'app.kubernetes.io/managed-by': 'cdk8s' },
          // A Service served with the web certificate (`webTls`): ingress-nginx connects to it over HTTPS.
          ...(route.endpoint.scheme === Scheme.HTTPS ? { annotations: { [NGINX_BACKEND_PROTOCOL]: 'HTTPS' } } : {}),
        },
        spec: {
          ingressClassName: props.settings.className,
          tls: [{ hosts: [route.host], secretName: props.settings.tlsSecret }],
          rules: [
            {
              host: route.host,
              http: {
                paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: route.endpoint.service, port: { number: route.endpoint.port } } } }],
              },
            },
          ],
        },
      });
    }
  }
}

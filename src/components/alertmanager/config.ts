import type { Receiver, Severity, StackConfig } from '../../config/schema';

/** The subset of Alertmanager's configuration file this stack writes, typed. */
export interface AlertmanagerReceiver {
  readonly name: string;
  readonly webhook_configs?: readonly { readonly url_file: string; readonly send_resolved: boolean }[];
  readonly slack_configs?: readonly { readonly api_url_file: string; readonly channel: string; readonly send_resolved: boolean; readonly title: string; readonly text: string }[];
  readonly email_configs?: readonly {
    readonly to: string;
    readonly from: string;
    readonly smarthost: string;
    readonly auth_username: string;
    readonly auth_password_file: string;
    readonly send_resolved: boolean;
  }[];
}

export interface AlertmanagerRoute {
  readonly receiver: string;
  readonly matchers?: readonly string[];
  readonly group_by?: readonly string[];
  readonly group_wait?: string;
  readonly group_interval?: string;
  readonly repeat_interval?: string;
  readonly continue?: boolean;
  readonly routes?: readonly AlertmanagerRoute[];
}

export interface AlertmanagerConfigFile {
  readonly route: AlertmanagerRoute;
  readonly inhibit_rules: readonly { readonly source_matchers: readonly string[]; readonly target_matchers: readonly string[]; readonly equal: readonly string[] }[];
  readonly receivers: readonly AlertmanagerReceiver[];
}

/** The receiver that drops what no configured receiver takes. */
export const BLACKHOLE = 'blackhole';
/** Where receiver secrets are mounted: one directory per Secret. */
export const SECRETS_DIR = '/etc/alertmanager/secrets';

/** The path a Secret key is read from inside the Alertmanager container. */
export function secretFile(ref: { name: string; key: string }): string {
  return `${SECRETS_DIR}/${ref.name}/${ref.key}`;
}

/** The Secrets the receivers read, by name. */
export function receiverSecretNames(receivers: readonly Receiver[]): string[] {
  const names = receivers.map((r) => (r.type === 'webhook' ? r.url.name : r.type === 'slack' ? r.apiUrl.name : r.authPassword.name));
  return [...new Set(names)].sort();
}

function receiver(r: Receiver): AlertmanagerReceiver {
  switch (r.type) {
    case 'webhook':
      return { name: r.name, webhook_configs: [{ url_file: secretFile(r.url), send_resolved: true }] };
    case 'slack':
      return {
        name: r.name,
        slack_configs: [
          {
            api_url_file: secretFile(r.apiUrl),
            channel: r.channel,
            send_resolved: true,
            title: '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}',
            text: '{{ range .Alerts }}{{ .Annotations.summary }}\n{{ .Annotations.description }}\n{{ end }}',
          },
        ],
      };
    case 'email':
      return {
        name: r.name,
        email_configs: [
          { to: r.to, from: r.from, smarthost: r.smarthost, auth_username: r.authUsername, auth_password_file: secretFile(r.authPassword), send_resolved: true },
        ],
      };
  }
}

/** Severities from the most to the least urgent; the routing tree follows this order. */
const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

/** alertmanager.yml: grouped by alertname and namespace, critical inhibits warning, one route per severity. */
export function alertmanagerConfig(config: StackConfig): AlertmanagerConfigFile {
  const am = config.alertmanager;
  return {
    route: {
      receiver: BLACKHOLE,
      group_by: ['alertname', 'namespace'],
      group_wait: am.groupWait,
      group_interval: am.groupInterval,
      repeat_interval: am.repeatInterval,
      routes: SEVERITIES.map((severity) => ({ receiver: am.routes[severity] ?? BLACKHOLE, matchers: [`severity="${severity}"`] })),
    },
    inhibit_rules: [
      { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['alertname', 'namespace'] },
      { source_matchers: ['severity=~"critical|warning"'], target_matchers: ['severity="info"'], equal: ['alertname', 'namespace'] },
    ],
    receivers: [{ name: BLACKHOLE }, ...am.receivers.map(receiver)],
  };
}

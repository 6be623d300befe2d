import type { Receiver, Severity, StackConfig } from '../../config/schema';
import { SERVICE_DOWN, TARGET_DOWN_LABELS } from '../../monitoring/alert-presets';
import { META_SEVERITY } from '../../monitoring/rules';

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
  readonly pagerduty_configs?: readonly { readonly routing_key_file: string; readonly send_resolved: boolean; readonly description: string }[];
  readonly opsgenie_configs?: readonly { readonly api_key_file: string; readonly send_resolved: boolean; readonly message: string }[];
  readonly msteamsv2_configs?: readonly { readonly webhook_url_file: string; readonly send_resolved: boolean; readonly title: string; readonly text: string }[];
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

/**
 * The null receiver: it has no integration, so what reaches it is dropped. It takes what no
 * configured receiver takes, the meta alerts (severity `none`) and, with no dead man's switch
 * configured, the Watchdog.
 */
export const BLACKHOLE = 'blackhole';
/** The always-firing alert that proves the alerting pipeline works (routed to `alertmanager.deadMansSwitch`). */
export const WATCHDOG = 'Watchdog';
/** The meta alert that holds back info alerts unless a warning or critical fires in their namespace. */
export const INFO_INHIBITOR = 'InfoInhibitor';
/** Where receiver secrets are mounted: one directory per Secret. */
export const SECRETS_DIR = '/etc/alertmanager/secrets';

/** The path a Secret key is read from inside the Alertmanager container. */
export function secretFile(ref: { name: string; key: string }): string {
  return `${SECRETS_DIR}/${ref.name}/${ref.key}`;
}

/** The Secrets the receivers read, by name. */
export function receiverSecretNames(receivers: readonly Receiver[]): string[] {
  return [...new Set(receivers.map((r) => receiverSecret(r).name))].sort();
}

/** The Secret key a receiver reads its credential from. */
function receiverSecret(r: Receiver): { name: string; key: string } {
  switch (r.type) {
    case 'webhook':
      return r.url;
    case 'slack':
      return r.apiUrl;
    case 'email':
      return r.authPassword;
    case 'pagerduty':
      return r.routingKey;
    case 'opsgenie':
      return r.apiKey;
    case 'msteams':
      return r.webhookUrl;
  }
}

/** Notification title and text shared by the chat-like integrations. */
const TITLE = '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}';
const TEXT = '{{ range .Alerts }}{{ .Annotations.summary }}\n{{ .Annotations.description }}\n{{ end }}';

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
            title: TITLE,
            text: TEXT,
          },
        ],
      };
    case 'pagerduty':
      return { name: r.name, pagerduty_configs: [{ routing_key_file: secretFile(r.routingKey), send_resolved: true, description: TITLE }] };
    case 'opsgenie':
      return { name: r.name, opsgenie_configs: [{ api_key_file: secretFile(r.apiKey), send_resolved: true, message: TITLE }] };
    case 'msteams':
      return { name: r.name, msteamsv2_configs: [{ webhook_url_file: secretFile(r.webhookUrl), send_resolved: true, title: TITLE, text: TEXT }] };
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

/** How often the Watchdog is re-sent to the dead man's switch: the service expects a steady heartbeat. */
const WATCHDOG_REPEAT = '1m';

/**
 * alertmanager.yml: the Watchdog to the dead man's switch (or the null receiver), meta alerts
 * dropped, then one route per team (`team` label) and one per severity; grouped by alertname and
 * namespace; critical inhibits warning, InfoInhibitor holds back info alerts.
 */
export function alertmanagerConfig(config: Pick<StackConfig, 'alertmanager'>): AlertmanagerConfigFile {
  const am = config.alertmanager;
  return {
    route: {
      receiver: BLACKHOLE,
      group_by: ['alertname', 'namespace'],
      group_wait: am.groupWait,
      group_interval: am.groupInterval,
      repeat_interval: am.repeatInterval,
      routes: [
        { receiver: am.deadMansSwitch ?? BLACKHOLE, matchers: [`alertname="${WATCHDOG}"`], group_wait: '0s', group_interval: WATCHDOG_REPEAT, repeat_interval: WATCHDOG_REPEAT },
        { receiver: BLACKHOLE, matchers: [`severity="${META_SEVERITY}"`] },
        ...am.teamRoutes.map((t) => ({ receiver: t.receiver, matchers: [`team="${t.team}"`] })),
        ...SEVERITIES.map((severity) => ({ receiver: am.routes[severity] ?? BLACKHOLE, matchers: [`severity="${severity}"`] })),
      ],
    },
    inhibit_rules: [
      { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['alertname', 'namespace'] },
      { source_matchers: ['severity=~"critical|warning"'], target_matchers: ['severity="info"'], equal: ['alertname', 'namespace'] },
      // Info alerts reach a receiver only together with a warning or critical in their namespace.
      { source_matchers: [`alertname="${INFO_INHIBITOR}"`], target_matchers: ['severity="info"'], equal: ['namespace'] },
      // One outage, one page: the generic ServiceDown mutes the component's own "…Down" alert of the same pod.
      {
        source_matchers: [`alertname="${SERVICE_DOWN}"`],
        target_matchers: Object.entries(TARGET_DOWN_LABELS).map(([k, v]) => `${k}="${v}"`),
        equal: ['namespace', 'pod'],
      },
    ],
    receivers: [{ name: BLACKHOLE }, ...am.receivers.map(receiver)],
  };
}

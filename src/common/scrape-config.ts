/**
 * The scrape-job vocabulary of Prometheus's configuration file, typed: what Prometheus and the site
 * agent (vmagent reads the same format) are configured with.
 */

/** One `relabel_configs` (or `write_relabel_configs`) step. */
export interface RelabelConfig {
  readonly source_labels?: readonly string[];
  readonly separator?: string;
  readonly regex?: string;
  readonly target_label?: string;
  readonly replacement?: string;
  readonly action?: 'replace' | 'keep' | 'drop' | 'labelmap' | 'labeldrop' | 'labelkeep';
}

/** One `kubernetes_sd_configs` entry: a role, optionally limited to namespaces. */
export interface KubernetesSdConfig {
  readonly role: 'pod' | 'node' | 'endpoints' | 'service' | 'endpointslice';
  readonly namespaces?: { readonly names: readonly string[] };
}

/** HTTP client settings of a remote_write entry or a scrape job: credentials and CA only as files. */
export interface HttpClientConfig {
  readonly basic_auth?: { readonly username: string; readonly password_file: string };
  readonly authorization?: { readonly type?: 'Bearer'; readonly credentials_file: string };
  readonly tls_config?: { readonly ca_file?: string; readonly server_name?: string; readonly insecure_skip_verify?: boolean };
}

/** One `scrape_configs` job. */
export interface ScrapeConfig extends HttpClientConfig {
  readonly job_name: string;
  readonly scheme?: 'http' | 'https';
  readonly metrics_path?: string;
  readonly scrape_interval?: string;
  readonly honor_labels?: boolean;
  readonly kubernetes_sd_configs?: readonly KubernetesSdConfig[];
  readonly static_configs?: readonly { readonly targets: readonly string[]; readonly labels?: Record<string, string> }[];
  readonly relabel_configs?: readonly RelabelConfig[];
  readonly metric_relabel_configs?: readonly RelabelConfig[];
}

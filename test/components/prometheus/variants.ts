/**
 * Config overrides that reach every branch of the Prometheus scrape and remote_write output: used by
 * the unit tests (config.test.ts, prometheus.test.ts) and by the promtool check of every variant
 * (test/tools/promtool.test.ts).
 */

/** Two onboarded namespaces (a Role in each). */
export const ONBOARDED_LIST = { prometheus: { onboardedNamespaces: ['training-jobs', 'team-a'] } };

/** Every namespace (a ClusterRole). */
export const ONBOARDED_ALL = { prometheus: { onboardedNamespaces: 'all' } };

/** The in-cluster VictoriaMetrics and three central stores: basic auth, bearer token with a Secret CA, a ConfigMap CA. */
export const REMOTE_WRITE_TARGETS = {
  prometheus: {
    remoteWrite: [
      { type: 'victoriaMetrics', queue: { maxShards: 4 } },
      {
        type: 'url',
        name: 'central',
        url: 'https://metrics.example.org/api/v1/write',
        basicAuth: { username: 'site-a', password: { name: 'central-metrics', key: 'password' } },
        tls: { ca: { secret: { name: 'central-metrics', key: 'ca.crt' } }, serverName: 'metrics.example.org' },
        writeRelabelConfigs: [
          { sourceLabels: ['__name__'], regex: '(?i)up|(?P<fl>fl_.+)', action: 'keep' },
          { sourceLabels: ['namespace'], regex: 'fl-(.*)', targetLabel: 'tier', replacement: '$1', action: 'replace' },
          { regex: 'client_index', action: 'labeldrop' },
        ],
        queue: { capacity: 5000, minShards: 1, maxShards: 10, maxSamplesPerSend: 1000, batchSendDeadline: '10s', minBackoff: '100ms', maxBackoff: '10s' },
      },
      {
        type: 'url',
        name: 'mimir',
        url: 'https://mimir.example.org/api/v1/push',
        bearerToken: { name: 'mimir-token', key: 'token' },
        tls: { ca: { configMap: { name: 'corporate-ca', key: 'ca.pem' } } },
      },
      { type: 'url', name: 'plain', url: 'http://vm.metrics.svc:8428/api/v1/write' },
    ],
  },
};

/** Scrape jobs for targets outside Kubernetes: plain, and https with a bearer token, a ConfigMap CA and labels. */
export const EXTERNAL_SCRAPE_JOBS = {
  prometheus: {
    externalScrapeJobs: [
      { name: 'lab-node-exporters', targets: ['10.20.0.5:9100', 'gpu-1.lab.example:9100'] },
      {
        name: 'appliance',
        targets: ['storage.lab.example:8443'],
        scheme: 'https',
        metricsPath: '/api/metrics',
        scrapeInterval: '1m',
        labels: { site: 'lab', rack: 'r12' },
        bearerToken: { name: 'appliance-token', key: 'token' },
        tls: { ca: { configMap: { name: 'corporate-ca', key: 'ca.pem' } }, serverName: 'storage.lab.example' },
      },
    ],
  },
};

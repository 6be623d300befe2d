// prometheus-operator at the pinned release: the end-to-end suite runs its reconcile loop against the
// control plane to render the operator mode's PodMonitors, ServiceMonitors and PrometheusRules. The
// CRDs the stack's operator mode is typed from (crds/prometheus-operator/) are the same release's.
import { goBuild, moduleInfo, wrapperModule } from '../go.mjs';
import { prometheusVersionFlags } from './prometheus.mjs';

export default {
  summary: 'prometheus-operator, the release of the CRDs in crds/prometheus-operator/',
  set: 'e2e',
  binaries: [{ name: 'prometheus-operator', pkg: 'cmd/operator', versionArgs: ['--version'] }],
  resolve({ pin, semver }) {
    const version = semver(pin.version, 'version');
    return { version, module: pin.module, source: `${pin.module}@${version}` };
  },
  build(ctx, r, [o]) {
    const info = moduleInfo(r.module, r.version);
    const wdir = ctx.srcDir(`prometheus-operator-${r.version}`);
    // pkg/apis/monitoring and pkg/client are nested modules (not in the zip): their published
    // modules of the same release replace upstream's ./pkg/... paths.
    wrapperModule(wdir, info, r.version);
    // The version stamps the default config-reloader image tag (pkg/operator/defaults.go).
    const ldflags = ['-s -w', ...prometheusVersionFlags(r.version, info)].join(' ');
    goBuild({ dir: wdir, tags: 'netgo', ldflags, outs: [{ pkg: `${r.module}/${o.binary.pkg}`, out: o.out }], nice: ctx.nice });
  },
};

// KWOK: the control plane's simulated nodes, and the status of the pods scheduled on them.
import { goBuild, moduleInfo, wrapperModule } from '../go.mjs';

export default {
  summary: 'KWOK, simulated nodes and pod status',
  set: 'e2e',
  binaries: [{ name: 'kwok', pkg: 'cmd/kwok', versionArgs: ['--version'] }],
  resolve({ pin, semver }) {
    const version = semver(pin.version, 'version');
    return { version, module: pin.module, source: `${pin.module}@${version}` };
  },
  build(ctx, r, [o]) {
    const info = moduleInfo(r.module, r.version);
    const wdir = ctx.srcDir(`kwok-${r.version}`);
    wrapperModule(wdir, info);
    const ldflags = `-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${r.version.slice(1)}`;
    goBuild({ dir: wdir, tags: 'netgo', ldflags, outs: [{ pkg: `${r.module}/${o.binary.pkg}`, out: o.out }], nice: ctx.nice });
  },
};

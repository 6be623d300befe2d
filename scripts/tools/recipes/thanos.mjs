// Thanos (Receive, Query, Store Gateway, Compactor: one binary), at the deployed image's release:
// the central long-term store of the `central` profile and its live test.
import { goBuild, moduleInfo, releaseTime, wrapperModule } from '../go.mjs';

/** Upstream's release build tags (.promu.yml). */
const TAGS = 'netgo slicelabels';

export default {
  summary: "Thanos (receive, query, store, compact), at the deployed image's release",
  set: 'test',
  binaries: [{ name: 'thanos', pkg: 'cmd/thanos', versionArgs: ['--version'] }],
  resolve({ pin, imageTag }) {
    const version = imageTag(pin.image);
    return { version, module: pin.module, source: `${pin.module}@${version}` };
  },
  build(ctx, r, [o]) {
    const info = moduleInfo(r.module, r.version);
    const wdir = ctx.srcDir(`thanos-${r.version}`);
    wrapperModule(wdir, info);
    // What `thanos --version` reports, as promu stamps it (github.com/prometheus/common/version).
    const v = 'github.com/prometheus/common/version';
    const date = releaseTime(info, 'YYYYMMDD-hh:mm:ss') ?? 'unknown';
    const ldflags = [
      '-s -w',
      `-X ${v}.Version=${r.version.slice(1)}`,
      `-X ${v}.Revision=${info.hash}`,
      `-X ${v}.Branch=release-${r.version.slice(1).split('.').slice(0, 2).join('.')}`,
      `-X ${v}.BuildUser=fl-observability`,
      `-X ${v}.BuildDate=${date}`,
    ].join(' ');
    goBuild({ dir: wdir, tags: TAGS, ldflags, outs: [{ pkg: `${r.module}/${o.binary.pkg}`, out: o.out }] });
  },
};

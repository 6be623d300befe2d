// VictoriaMetrics (live stack), vmalert (rule dry runs) and vmagent (the site agent), at the deployed image's release.
import { goBuild, moduleInfo, releaseTime, wrapperModule } from '../go.mjs';

/**
 * `-X` of lib/buildinfo of the VictoriaMetrics module (VictoriaLogs reads it too), in upstream's
 * shape `<app>-<date>-tags-<tag>-0-g<commit>`, so that `-version` reports the release.
 */
export function vmVersionFlag(app, version, info) {
  const date = releaseTime(info, 'YYYYMMDD-hhmmss') ?? 'unknown';
  return `-X github.com/VictoriaMetrics/VictoriaMetrics/lib/buildinfo.Version=${app}-${date}-tags-${version}-0-g${info.hash.slice(0, 9)}`;
}

/** Builds each binary of a VictoriaMetrics-style module on its own (the version stamp names the app). */
export function buildVmApps(ctx, r, outs, srcName) {
  const info = moduleInfo(r.module, r.version);
  const wdir = ctx.srcDir(`${srcName}-${r.version}`);
  wrapperModule(wdir, info);
  for (const o of outs) {
    const ldflags = `-s -w ${vmVersionFlag(o.binary.name, r.version, info)}`;
    goBuild({ dir: wdir, tags: 'netgo', ldflags, outs: [{ pkg: `${r.module}/${o.binary.pkg}`, out: o.out }] });
  }
}

export default {
  summary: "VictoriaMetrics, vmalert and vmagent, at the deployed image's release",
  set: 'test',
  binaries: [
    { name: 'victoria-metrics', pkg: 'app/victoria-metrics', versionArgs: ['-version'] },
    { name: 'vmalert', pkg: 'app/vmalert', versionArgs: ['-version'] },
    { name: 'vmagent', pkg: 'app/vmagent', versionArgs: ['-version'] },
  ],
  resolve({ pin, imageTag }) {
    const version = imageTag(pin.image);
    return { version, module: pin.module, source: `${pin.module}@${version}` };
  },
  build(ctx, r, outs) {
    buildVmApps(ctx, r, outs, 'victoria-metrics');
  },
};

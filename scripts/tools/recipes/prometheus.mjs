// Prometheus at the deployed image's release: promtool (rule checks and rule unit tests) and the
// server (live stack). Built without `builtinassets`: the web UI is not embedded; server and API work.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { goBuild, moduleInfo, releaseTime, wrapperModule } from '../go.mjs';

/** `-X` flags of github.com/prometheus/common/version, so that `--version` reports the release. */
export function prometheusVersionFlags(version, info) {
  const p = 'github.com/prometheus/common/version';
  return [
    `-X ${p}.Version=${version.replace(/^v/, '')}`,
    `-X ${p}.Revision=${info.hash}`,
    `-X ${p}.Branch=HEAD`,
    `-X ${p}.BuildUser=fl-observability-tools`,
    `-X ${p}.BuildDate=${releaseTime(info, 'YYYYMMDD-hh:mm:ss') ?? 'unknown'}`,
  ];
}

/**
 * Service discovery: `remove_all_sd` keeps static/file/http; `enable_<x>_sd` adds each x of
 * PROMETHEUS_SD back (default kubernetes, the only one the stack uses: a 3x shorter cold build);
 * PROMETHEUS_SD=all enables every one but those of PROMETHEUS_EXCLUDED_SD.
 */
function sdTags(moduleDir) {
  const wanted = process.env.PROMETHEUS_SD ?? 'kubernetes';
  const excluded = (process.env.PROMETHEUS_EXCLUDED_SD ?? 'nomad').split(/[ ,]+/);
  return readdirSync(join(moduleDir, 'plugins'))
    .filter((f) => /^plugin_.+\.go$/.test(f))
    .sort()
    .map((f) => f.slice('plugin_'.length, -'.go'.length))
    .filter((sd) => (wanted === 'all' ? !excluded.includes(sd) : wanted.split(',').includes(sd)))
    .map((sd) => `enable_${sd}_sd`);
}

export default {
  summary: "promtool and the Prometheus server, at the deployed image's release",
  set: 'test',
  binaries: [
    { name: 'promtool', pkg: 'cmd/promtool', versionArgs: ['--version'] },
    { name: 'prometheus', pkg: 'cmd/prometheus', versionArgs: ['--version'] },
  ],
  env: {
    PROMETHEUS_SD: 'service discoveries built in (default kubernetes; all: every one); not part of the cache key',
    PROMETHEUS_EXCLUDED_SD: 'with PROMETHEUS_SD=all, those left out (default nomad: its pinned dependency is a pseudo-version some Go proxies do not serve)',
  },
  resolve({ pin, imageTag }) {
    const tag = imageTag(pin.image);
    const m = /^v(\d+)\.(\d+)\.(\d+)$/.exec(tag);
    if (!m) throw new Error(`the ${pin.image} image tag ${tag} is not vX.Y.Z`);
    // Prometheus 3.MM.P is the module version v0.3MM.P.
    const moduleVersion = `v0.${Number(m[1]) * 100 + Number(m[2])}.${m[3]}`;
    return { version: tag, module: pin.module, moduleVersion, source: `${pin.module}@${moduleVersion}` };
  },
  build(ctx, r, outs) {
    const info = moduleInfo(r.module, r.moduleVersion);
    const wdir = ctx.srcDir(`prometheus-${r.version}`);
    wrapperModule(wdir, info);
    const tags = ['netgo', 'remove_all_sd', ...sdTags(info.dir)].join(',');
    const ldflags = ['-s -w', ...prometheusVersionFlags(r.version, info)].join(' ');
    goBuild({ dir: wdir, tags, ldflags, outs: outs.map((o) => ({ pkg: `${r.module}/${o.binary.pkg}`, out: o.out })) });
  },
};

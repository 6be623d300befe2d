// The OpenTelemetry Collector the tests validate and run the log agent's config with: the Collector
// Builder at releases.core assembles exactly the pinned components. The binary is named by the image
// tag and a hash of the whole builder manifest, so changing a component or a release builds anew.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { goBuild, goEnv, run } from '../go.mjs';

const KINDS = ['receivers', 'processors', 'exporters', 'extensions', 'connectors', 'providers'];

/** The builder manifest (JSON, which the builder's YAML reader accepts); output_path is set at build time. */
function manifestOf(pin, releases, tag) {
  const entry = (kind, c) => {
    const version = releases[c.release];
    if (typeof c.module !== 'string' || !version) throw new Error(`components.${kind}: ${JSON.stringify(c)} needs "module" and a "release" of ${Object.keys(releases).join(', ')}`);
    return { gomod: `${c.module} ${version}`, ...(c.import ? { import: c.import } : {}) };
  };
  const manifest = {
    dist: {
      module: 'fl-observability.local/tools/otelcol',
      name: 'otelcol',
      description: "fl-observability: the log agent's components, for config validation in the tests",
      version: tag,
      output_path: 'SOURCES',
    },
  };
  for (const k of KINDS) if (pin.components[k]) manifest[k] = pin.components[k].map((c) => entry(k, c));
  if (!pin.components.telemetry) throw new Error('components.telemetry is required');
  manifest.telemetry = entry('telemetry', pin.components.telemetry);
  return manifest;
}

export default {
  summary: "the OpenTelemetry Collector with the log agent's components, at the deployed image's releases",
  set: 'test',
  binaries: [{ name: 'otelcol', versionArgs: ['--version'] }],
  resolve({ pin, imageTag, semver }) {
    const contrib = imageTag(pin.image);
    const tag = contrib.slice(1);
    const releases = { ...pin.releases, contrib };
    for (const [k, v] of Object.entries(releases)) semver(v, `releases.${k}`);
    if (!releases.core) throw new Error('releases.core is required (the builder version)');
    const manifest = manifestOf(pin, releases, tag);
    const hash = createHash('sha256').update(JSON.stringify(manifest, null, 2)).digest('hex').slice(0, 10);
    return {
      version: tag,
      file: () => `otelcol-${tag}-${hash}`,
      builder: pin.builder,
      builderVersion: releases.core,
      manifest,
      source: `${pin.builder}@${releases.core}, manifest ${hash}`,
    };
  },
  build(ctx, r, [o]) {
    const work = ctx.srcDir(r.file());
    const sources = join(work, 'dist');
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    run('go', ['install', '-trimpath', `${r.builder}@${r.builderVersion}`], { cwd: tmpdir(), env: goEnv({ GOBIN: join(work, 'bin') }), capture: false });
    const manifest = { ...r.manifest, dist: { ...r.manifest.dist, output_path: sources } };
    writeFileSync(join(work, 'manifest.yaml'), `${JSON.stringify(manifest, null, 2)}\n`);
    const b = spawnSync(join(work, 'bin/builder'), ['--config', join(work, 'manifest.yaml'), '--skip-compilation', '--skip-strict-versioning=false'], { env: goEnv(), encoding: 'utf8' });
    writeFileSync(join(work, 'builder.log'), `${b.stdout}${b.stderr}`);
    if (b.status !== 0) throw new Error(`the collector builder failed (manifest ${work}/manifest.yaml):\n${b.stdout}${b.stderr}`);
    goBuild({ dir: sources, ldflags: '-s -w', outs: [{ pkg: r.manifest.dist.module, out: o.out }] });
  },
  /** It reports the image tag and holds every pinned component module. */
  smoke(ctx, r, name, path) {
    ctx.expectVersion(name, path, ['--version'], r.version);
    const listed = run(path, ['components'], { what: 'otelcol components' });
    for (const k of ['receivers', 'processors', 'exporters', 'extensions']) {
      for (const c of r.manifest[k] ?? []) {
        const mod = c.gomod.split(' ')[0];
        if (!listed.includes(mod)) throw new Error(`otelcol components does not list ${mod}`);
      }
    }
  },
};

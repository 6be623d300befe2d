// The Pulumi Kubernetes resource provider, at the version of the npm package @pulumi/kubernetes, from
// the Go proxy: its zip carries the release's schema.json and terraform-mapping.json. The main package
// is copied into the wrapper module, where upstream's generate.go writes the versioned copies main.go
// embeds; its ../sdk replace becomes sdk/v4 of the release.
// Install it into a PULUMI_HOME with `pulumi plugin install resource kubernetes <version> --file <binary>`.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { goBuild, goEnv, makeWritable, moduleInfo, run, wrapperModule } from '../go.mjs';

const FILES = ['main.go', 'generate.go', 'schema.json', 'terraform-mapping.json'];
const PKG = 'cmd/pulumi-resource-kubernetes';

export default {
  summary: 'the Pulumi Kubernetes provider, at the version of its npm package',
  set: 'e2e',
  binaries: [{ name: 'pulumi-resource-kubernetes' }],
  resolve({ pin, npmVersion }) {
    const version = npmVersion(pin.npmPackage);
    if (!/^v\d+\.\d+\.\d+-\S+$/.test(pin.moduleVersion ?? '')) throw new Error(`moduleVersion must be a pseudo-version (got ${pin.moduleVersion})`);
    if (!/^[0-9a-f]{40}$/.test(pin.commit ?? '')) throw new Error(`commit must be 40 hex digits (got ${pin.commit})`);
    return { ...pin, version, source: `${pin.module}@${pin.moduleVersion} = ${version} (${pin.npmPackage})` };
  },
  build(ctx, r, [o]) {
    const info = moduleInfo(r.module, r.moduleVersion);
    if (info.hash !== r.commit) throw new Error(`${info.id} comes from commit ${info.hash}, tools.json says ${r.commit}`);
    for (const f of FILES) if (!existsSync(join(info.dir, PKG, f))) throw new Error(`${info.id} has no ${PKG}/${f}`);
    const schema = JSON.parse(readFileSync(join(info.dir, PKG, 'schema.json'), 'utf8'));
    if (schema.name !== 'kubernetes' || Object.keys(schema.resources ?? {}).length === 0) throw new Error(`${info.id}: ${PKG}/schema.json is not the Kubernetes package schema`);
    const wdir = ctx.srcDir(`pulumi-resource-kubernetes-${r.version}`);
    wrapperModule(wdir, info, r.version);
    const sdk = `github.com/pulumi/pulumi-kubernetes/sdk/v4 => github.com/pulumi/pulumi-kubernetes/sdk/v4 ${r.version}`;
    if (!readFileSync(join(wdir, 'go.mod'), 'utf8').split('\n').includes(`replace ${sdk}`)) {
      throw new Error(`${wdir}/go.mod: upstream's ../sdk replace did not become sdk/v4 ${r.version} (did upstream's go.mod change?)`);
    }
    // The module cache is read-only: main.go embeds what generate.go writes next to it (the schema
    // stamped with the version, the compacted terraform mapping), so the package is built from a copy.
    const cmd = join(wdir, PKG);
    mkdirSync(cmd, { recursive: true });
    for (const f of FILES) copyFileSync(join(info.dir, PKG, f), join(cmd, f));
    makeWritable(cmd);
    run('go', ['run', '-mod=mod', './generate.go'], { cwd: cmd, env: goEnv({ VERSION: r.version.slice(1) }), capture: false, nice: ctx.nice, what: 'generate.go (the embedded schema)' });
    goBuild({ dir: wdir, ldflags: `-s -w -X ${r.module}/pkg/version.Version=${r.version.slice(1)}`, outs: [{ pkg: `./${PKG}`, out: o.out }], nice: ctx.nice });
  },
  /**
   * Started without an engine, a provider serves gRPC and prints its port. When the CLI is built,
   * `pulumi package get-schema` then reads its schema, whose version must be the pinned one.
   */
  async smoke(ctx, r, name, path) {
    const port = await firstLine(path);
    if (!/^\d+$/.test(port.line)) throw new Error(`${name} did not start: ${port.output.slice(0, 2000)}`);
    const cli = ctx.cachedBinary('pulumi');
    if (cli === undefined) return;
    const home = mkdtempSync(join(tmpdir(), 'flobs-pulumi-home-'));
    try {
      const env = { ...process.env, PULUMI_HOME: home, PULUMI_SKIP_UPDATE_CHECK: 'true', PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true' };
      const s = spawnSync(cli, ['package', 'get-schema', path], { env, encoding: 'utf8', maxBuffer: 1 << 28 });
      let version;
      try {
        version = JSON.parse(s.stdout).version;
      } catch {
        version = `(not a schema) ${`${s.stdout}${s.stderr}`.slice(0, 2000)}`;
      }
      if (version !== r.version.slice(1)) throw new Error(`${basename(cli)} package get-schema: version ${version}, expected ${r.version.slice(1)}`);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  },
};

/**
 * Runs `bin` until it prints its first line (at most 20 s), then stops it: SIGINT, and SIGKILL 5 s
 * later (provider 4.25 keeps serving after SIGINT). Resolves once it has exited.
 */
function firstLine(bin) {
  return new Promise((resolveLine) => {
    const child = spawn(bin, [], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      clearTimeout(timer);
      child.kill('SIGINT');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    };
    const timer = setTimeout(stop, 20000);
    const onData = (d) => {
      output += d;
      if (output.includes('\n')) stop();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolveLine({ line: '', output: `${output}${e.message}` });
    });
    child.on('close', () => {
      clearTimeout(timer);
      resolveLine({ line: output.split('\n')[0].trim(), output });
    });
  });
}

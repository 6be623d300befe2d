// The Pulumi CLI's Node.js language host, at the version of the npm package @pulumi/pulumi. Optional:
// the end-to-end test drives the program through the Automation API, which needs none; only its
// `pulumi up` through Pulumi.yaml does. It is on no Go proxy at any version, so it builds from a git
// clone of github.com/pulumi/pulumi that PULUMI_SRC_GIT names (e.g. `git clone --bare`), at the
// release tag; its dependencies come from the Go proxy.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { goBuild, run } from '../go.mjs';
import { PULUMI_VERSION_VAR } from './pulumi.mjs';

export default {
  summary: "the Pulumi CLI's Node.js language host, at the version of its npm package (from a git clone)",
  set: 'e2e',
  binaries: [{ name: 'pulumi-language-nodejs', versionArgs: ['-version'], optional: true }],
  env: {
    PULUMI_SRC_GIT: 'a git clone of https://github.com/pulumi/pulumi holding the release tag (needed to build pulumi-language-nodejs)',
  },
  resolve({ pin, npmVersion }) {
    const version = npmVersion(pin.npmPackage);
    const git = process.env.PULUMI_SRC_GIT ?? '';
    return {
      ...pin,
      version,
      git,
      source: `git ${git || '<PULUMI_SRC_GIT not set>'} ${version}:${pin.gitPath} (${pin.npmPackage})`,
      unavailable: () => sourceProblem(git, version, pin.gitRepo),
    };
  },
  build(ctx, r, [o]) {
    const wdir = ctx.srcDir(`pulumi-language-nodejs-${r.version}`);
    rmSync(wdir, { recursive: true, force: true });
    // The main package: go.mod, go.sum and the non-test Go files (testdata is large and unused).
    const files = git(r.git, ['ls-tree', '--name-only', r.version, '--', `${r.gitPath}/`])
      .split('\n')
      .filter((f) => /\/(go\.mod|go\.sum|[^/]+\.go)$/.test(f) && !f.endsWith('_test.go'));
    gitExport(r.git, r.version, wdir, files);
    const mdir = join(wdir, r.gitPath);
    // Upstream replaces these with the repository's own directories: use the published modules.
    run('go', ['mod', 'edit', ...r.publishedModules.flatMap((m) => [`-dropreplace=${m}`, `-replace=${m}=${m}@${r.version}`])], { cwd: mdir });
    run('go', ['mod', 'edit', '-toolchain=none'], { cwd: mdir });
    goBuild({ dir: mdir, ldflags: `-s -w -X ${PULUMI_VERSION_VAR}=${r.version}`, outs: [{ pkg: '.', out: o.out }], nice: ctx.nice });
  },
};

/** Why the clone cannot be used (it is unset, missing, or lacks the tag), or undefined. */
function sourceProblem(dir, tag, url) {
  const clone = `git clone --bare ${url}`;
  if (dir === '') return `PULUMI_SRC_GIT is not set: clone ${url} (${clone} DIR) and set PULUMI_SRC_GIT=DIR`;
  if (!existsSync(dir)) return `PULUMI_SRC_GIT=${dir}: no such directory (${clone} ${dir})`;
  const r = spawnSync('git', ['-C', dir, 'rev-parse', '--verify', '--quiet', `${tag}^{commit}`], { stdio: 'ignore' });
  if (r.error) return `git is required to build from PULUMI_SRC_GIT=${dir}`;
  if (r.status !== 0) return `PULUMI_SRC_GIT=${dir} has no tag ${tag}: fetch it (git -C ${dir} fetch origin tag ${tag})`;
  return undefined;
}

function git(dir, args) {
  const r = spawnSync('git', ['-C', dir, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`git -C ${dir} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** Exports `paths` of `ref` into `dest`; fails naming the blobs the clone lacks (partial clones, size-limited mirrors). */
function gitExport(dir, ref, dest, paths) {
  const listing = git(dir, ['ls-tree', '-r', ref, '--', ...paths]);
  if (listing.trim() === '') throw new Error(`${dir}: nothing at ${ref} -- ${paths.join(' ')}`);
  const blobs = listing.split('\n').map((l) => l.split(/\s+/)).filter((f) => f[1] === 'blob').map((f) => f[2]);
  const check = spawnSync('git', ['-C', dir, 'cat-file', '--batch-check=%(objectname) %(objecttype)'], { input: `${blobs.join('\n')}\n`, encoding: 'utf8' });
  const missing = check.stdout.split('\n').filter((l) => l.endsWith(' missing')).map((l) => l.split(' ')[0]);
  if (missing.length > 0) throw new Error(`${dir} lacks blobs of ${ref} (${missing.join(' ')}): fetch them (git -C ${dir} fetch origin tag ${ref})`);
  mkdirSync(dest, { recursive: true });
  const tar = spawnSync('git', ['-C', dir, 'archive', '--format=tar', ref, '--', ...paths], { maxBuffer: 1 << 30 });
  if (tar.status !== 0) throw new Error(`git archive ${ref} -- ${paths.join(' ')} from ${dir} failed: ${tar.stderr}`);
  const x = spawnSync('tar', ['-x', '-C', dest], { input: tar.stdout });
  if (x.status !== 0) throw new Error(`unpacking git archive ${ref} into ${dest} failed: ${x.stderr}`);
}

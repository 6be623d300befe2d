// etcd (the module go.etcd.io/etcd/server/v3, whose root package is the server) and etcdctl, of one
// release. Their ../api, ../client/... replaces become the published modules of that release.
import { goBuild, moduleInfo, wrapperModule } from '../go.mjs';

export default {
  summary: "etcd, the control plane's store (etcdctl on request)",
  set: 'e2e',
  binaries: [
    { name: 'etcd', versionArgs: ['--version'] },
    { name: 'etcdctl', versionArgs: ['version'], optional: true },
  ],
  resolve({ pin, semver }) {
    const version = semver(pin.version, 'version');
    for (const b of ['etcd', 'etcdctl']) if (typeof pin.modules?.[b] !== 'string') throw new Error(`modules.${b} is required`);
    return { version, modules: pin.modules, source: (name) => `${pin.modules[name]}@${version}` };
  },
  build(ctx, r, outs) {
    for (const o of outs) {
      const module = r.modules[o.binary.name];
      const info = moduleInfo(module, r.version);
      const wdir = ctx.srcDir(`${o.binary.name}-${r.version}`);
      wrapperModule(wdir, info, r.version);
      const sha = info.hash === 'unknown' ? '' : ` -X go.etcd.io/etcd/api/v3/version.GitSHA=${info.hash.slice(0, 7)}`;
      goBuild({ dir: wdir, tags: 'netgo', ldflags: `-s -w${sha}`, outs: [{ pkg: module, out: o.out }], nice: ctx.nice });
    }
  },
};

// kube-apiserver, kube-controller-manager, kube-scheduler and kubectl of the end-to-end control plane.
// The module's go.mod replaces every k8s.io/<x> staging module with ./staging/src/k8s.io/<x>, which
// the module zip lacks: the wrapper uses the published k8s.io/<x> of the same release (v1.M.P -> v0.M.P).
// One `go build` for all, with upstream's release tags and version stamps (servers report the
// release, not v0.0.0).
import { goBuild, moduleInfo, releaseTime, wrapperModule } from '../go.mjs';

export default {
  summary: 'the Kubernetes control plane and kubectl',
  set: 'e2e',
  binaries: [
    { name: 'kube-apiserver', pkg: 'cmd/kube-apiserver', versionArgs: ['--version'] },
    { name: 'kube-controller-manager', pkg: 'cmd/kube-controller-manager', versionArgs: ['--version'] },
    { name: 'kube-scheduler', pkg: 'cmd/kube-scheduler', versionArgs: ['--version'] },
    { name: 'kubectl', pkg: 'cmd/kubectl', versionArgs: ['version', '--client'] },
  ],
  resolve({ pin, semver }) {
    const version = semver(pin.version, 'version');
    return { version, module: pin.module, source: `${pin.module}@${version}` };
  },
  build(ctx, r, outs) {
    const info = moduleInfo(r.module, r.version);
    const wdir = ctx.srcDir(`kubernetes-${r.version}`);
    wrapperModule(wdir, info, `v0.${r.version.slice('v1.'.length)}`);
    const [major, minor] = r.version.slice(1).split('.');
    const date = releaseTime(info, 'YYYY-MM-DDThh:mm:ssZ') ?? '1970-01-01T00:00:00Z';
    const flags = ['-s -w'];
    for (const p of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']) {
      flags.push(`-X ${p}.gitVersion=${r.version} -X ${p}.gitMajor=${major} -X ${p}.gitMinor=${minor}`);
      flags.push(`-X ${p}.gitCommit=${info.hash} -X ${p}.gitTreeState=clean -X ${p}.buildDate=${date}`);
    }
    goBuild({
      dir: wdir,
      tags: 'selinux,notest,grpcnotrace',
      ldflags: flags.join(' '),
      outs: outs.map((o) => ({ pkg: `${r.module}/${o.binary.pkg}`, out: o.out })),
      nice: ctx.nice,
    });
  },
};

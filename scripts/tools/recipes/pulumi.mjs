// The Pulumi CLI the end-to-end test drives (through the Automation API), at the version of the npm
// package @pulumi/pulumi. Its ../sdk replace becomes sdk/v3 of the release.
import { goBuild, moduleInfo, wrapperModule } from '../go.mjs';

/** Where the SDK keeps the version `pulumi version` reports. */
export const PULUMI_VERSION_VAR = 'github.com/pulumi/pulumi/sdk/v3/go/common/version.Version';

export default {
  summary: 'the Pulumi CLI, at the version of its npm package',
  set: 'e2e',
  binaries: [{ name: 'pulumi', pkg: 'cmd/pulumi', versionArgs: ['version'] }],
  resolve({ pin, npmVersion }) {
    const version = npmVersion(pin.npmPackage);
    return { version, module: pin.module, source: `${pin.module}@${version} (${pin.npmPackage})` };
  },
  build(ctx, r, [o]) {
    const info = moduleInfo(r.module, r.version);
    const wdir = ctx.srcDir(`pulumi-${r.version}`);
    wrapperModule(wdir, info, r.version);
    goBuild({ dir: wdir, ldflags: `-s -w -X ${PULUMI_VERSION_VAR}=${r.version}`, outs: [{ pkg: `${r.module}/${o.binary.pkg}`, out: o.out }], nice: ctx.nice });
  },
};

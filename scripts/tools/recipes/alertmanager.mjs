// Alertmanager and amtool at the deployed image's release. The module zip lacks the UI (upstream
// builds ui/app/dist with npm), so the build uses a copy of the module with a placeholder page.
import { appendFileSync, copyFileSync, cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { goBuild, makeWritable, moduleInfo, wrapperModule } from '../go.mjs';
import { prometheusVersionFlags } from './prometheus.mjs';

export default {
  summary: "Alertmanager and amtool, at the deployed image's release",
  set: 'test',
  binaries: [
    { name: 'alertmanager', pkg: 'cmd/alertmanager', versionArgs: ['--version'] },
    { name: 'amtool', pkg: 'cmd/amtool', versionArgs: ['--version'] },
  ],
  resolve({ pin, imageTag }) {
    const version = imageTag(pin.image);
    return { version, module: pin.module, source: `${pin.module}@${version}` };
  },
  build(ctx, r, outs) {
    const info = moduleInfo(r.module, r.version);
    const wdir = ctx.srcDir(`alertmanager-${r.version}`);
    wrapperModule(wdir, info);
    const copy = join(wdir, 'module');
    cpSync(info.dir, copy, { recursive: true });
    makeWritable(copy);
    mkdirSync(join(copy, 'ui/app/dist'), { recursive: true });
    copyFileSync(join(ctx.filesDir, 'alertmanager-ui.html'), join(copy, 'ui/app/dist/index.html'));
    appendFileSync(join(wdir, 'go.mod'), `replace ${r.module} => ${copy}\n\n`);
    const ldflags = ['-s -w', ...prometheusVersionFlags(r.version, info)].join(' ');
    goBuild({ dir: wdir, tags: 'netgo', ldflags, outs: outs.map((o) => ({ pkg: `${r.module}/${o.binary.pkg}`, out: o.out })) });
  },
};


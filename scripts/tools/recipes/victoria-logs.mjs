// VictoriaLogs: the live local stack's log sink (in Loki's place). Not deployed: pinned in tools.json.
import { buildVmApps } from './victoria-metrics.mjs';

export default {
  summary: "VictoriaLogs, the live stack's log sink",
  set: 'test',
  binaries: [{ name: 'victoria-logs', pkg: 'app/victoria-logs', versionArgs: ['-version'] }],
  resolve({ pin }) {
    return { version: pin.version, module: pin.module, source: `${pin.module}@${pin.version}` };
  },
  build(ctx, r, outs) {
    buildVmApps(ctx, r, outs, 'victoria-logs');
  },
};

import { ComponentName } from '../../common/names';
import { metric, MetricType, type MetricDef } from '../../monitoring/catalog';

const E = ComponentName.DCGM_EXPORTER;
/** dcgm-exporter's per-GPU labels; namespace/pod/container name the pod using the GPU (scraped with honor_labels). */
const GPU_LABELS = ['gpu', 'UUID', 'device', 'modelName', 'Hostname', 'namespace', 'pod', 'container'];
const g = (name: string, help: string, unit: string): MetricDef => metric(E, name, MetricType.GAUGE, help, { labels: GPU_LABELS, unit });

/** The DCGM exporter's default counters used by the stack. */
export const DCGM_METRICS: readonly MetricDef[] = [
  g('DCGM_FI_DEV_GPU_UTIL', 'GPU utilization.', 'percent'),
  g('DCGM_FI_DEV_MEM_COPY_UTIL', 'Memory utilization.', 'percent'),
  g('DCGM_FI_DEV_FB_USED', 'Framebuffer memory used.', 'mebibytes'),
  g('DCGM_FI_DEV_FB_FREE', 'Framebuffer memory free.', 'mebibytes'),
  g('DCGM_FI_DEV_GPU_TEMP', 'GPU temperature.', 'celsius'),
  g('DCGM_FI_DEV_POWER_USAGE', 'Power draw.', 'watts'),
  g('DCGM_FI_DEV_SM_CLOCK', 'SM clock frequency.', 'megahertz'),
  g('DCGM_FI_DEV_XID_ERRORS', 'Value of the last XID error encountered.', ''),
];

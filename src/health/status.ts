/** The verdict of one check, ordered from best to worst. */
export enum HealthStatus {
  OK = 'ok',
  WARNING = 'warning',
  CRITICAL = 'critical',
}

const RANK: Record<HealthStatus, number> = {
  [HealthStatus.OK]: 0,
  [HealthStatus.WARNING]: 1,
  [HealthStatus.CRITICAL]: 2,
};

/** The worse of the given statuses (OK for none). */
export function worst(statuses: Iterable<HealthStatus>): HealthStatus {
  let result = HealthStatus.OK;
  for (const s of statuses) {
    if (RANK[s] > RANK[result]) {
      result = s;
    }
  }
  return result;
}

/** The command's exit code for an overall status: 0 healthy, 1 a critical issue, 2 warnings only. */
export function exitCodeOf(status: HealthStatus): number {
  switch (status) {
    case HealthStatus.OK:
      return 0;
    case HealthStatus.CRITICAL:
      return 1;
    case HealthStatus.WARNING:
      return 2;
  }
}

/** Exit code when nothing could be checked: bad arguments, config or kubeconfig. */
export const USAGE_EXIT_CODE = 3;

/** What one check found. */
export interface Outcome {
  readonly status: HealthStatus;
  /** One line for the report: what was seen, naming pods, targets, rules. */
  readonly detail: string;
}

/** One row of the report. */
export interface CheckResult extends Outcome {
  /** The component (`app.kubernetes.io/name`), or `cluster` for the API itself. */
  readonly component: string;
  /** What was checked, e.g. `pods StatefulSet/prometheus`, `service prometheus`, `targets`. */
  readonly check: string;
}

export function ok(detail: string): Outcome {
  return { status: HealthStatus.OK, detail };
}

export function warning(detail: string): Outcome {
  return { status: HealthStatus.WARNING, detail };
}

export function critical(detail: string): Outcome {
  return { status: HealthStatus.CRITICAL, detail };
}

import type { ComponentName } from '../common/names';
import type { Endpoint, Topology } from '../common/topology';
import type { StackConfig } from '../config/schema';
import { firstLine, type HttpResponse } from './http';
import { statusMessage } from './kube-client';
import { critical, ok, type Outcome } from './status';

/** One GET on a component's own HTTP API and how to judge the answer. */
export interface HttpCheck {
  /** The CHECK column of the report, e.g. `ready`, `targets`. */
  readonly name: string;
  /** Path and query on the component's port, e.g. `/-/ready`. */
  readonly path: string;
  /** Judges the answer, whatever its status code (a transport failure is critical before this). */
  readonly evaluate: (response: HttpResponse) => Outcome;
}

/** A component's own health: where its Service answers and what to ask it. Lives in the component's folder. */
export interface ComponentProbe {
  readonly component: ComponentName;
  /** The Service and port to reach, from the shared topology (never spelled here). */
  readonly endpoint: (topology: Topology, config: StackConfig) => Endpoint;
  readonly checks: (config: StackConfig) => readonly HttpCheck[];
}

/** A probe as the health CLI runs it: with whether the config deploys its component (probes of disabled components are not run). */
export interface StackProbe extends ComponentProbe {
  readonly enabled: (config: StackConfig) => boolean;
}

/** `HTTP 503: <first line of the body>`. */
export function httpFailure(response: HttpResponse): string {
  // Through the service proxy, the API server's own refusals come as a Status object.
  const line = response.body.trim() === '' ? '' : statusMessage(response.body);
  return `HTTP ${response.status}${line === '' ? '' : `: ${line}`}`;
}

/** A readiness endpoint: 200 is healthy, anything else critical with the body's first line. */
export function readyCheck(name: string, path: string): HttpCheck {
  return {
    name,
    path,
    evaluate: (res) => (res.status === 200 ? ok(`${path} answered 200`) : critical(`${path}: ${httpFailure(res)}`)),
  };
}

/** Parses a 200 JSON answer; for anything else, the critical outcome to report instead. */
export function parseJson<T>(response: HttpResponse, path: string): { value: T } | { failure: Outcome } {
  if (response.status !== 200) {
    return { failure: critical(`${path}: ${httpFailure(response)}`) };
  }
  try {
    return { value: JSON.parse(response.body) as T };
  } catch {
    return { failure: critical(`${path}: not JSON: ${firstLine(response.body)}`) };
  }
}

/** `a, b, c` then `and N more` past `max` items: details stay one readable line. */
export function listSome(items: readonly string[], max = 5): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

/** Sample names of a Prometheus text exposition (comments skipped). */
export function exposedSampleNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{|\s)/.exec(line);
    if (match !== null) {
      names.add(match[1]);
    }
  }
  return names;
}

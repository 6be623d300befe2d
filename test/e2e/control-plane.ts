import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { tool } from '../tools';

const SCRIPT = resolve(__dirname, '../../scripts/control-plane.sh');

/** A running local control plane (scripts/control-plane.sh), for end-to-end tests. */
export interface ControlPlane {
  /** State directory: certificates, kubeconfigs, logs/ (one file per process), ports. */
  readonly dir: string;
  /** Admin (system:masters) kubeconfig for the API server on 127.0.0.1. */
  readonly kubeconfig: string;
  /** Seconds `start` took. */
  readonly startSeconds: number;
  /** Runs kubectl against this control plane; throws with its stderr when it fails. */
  kubectl(args: readonly string[], input?: string): string;
  /** Runs kubectl; returns status, stdout and stderr without throwing. */
  kubectlResult(args: readonly string[], input?: string): { status: number; stdout: string; stderr: string };
  /** Stops every process and removes `dir` (keeps it when `keep`, e.g. after a failure). */
  stop(keep?: boolean): void;
}

/** Options of {@link startControlPlane}. */
export interface StartOptions {
  /**
   * Directory for the control plane's state.
   * @default a new directory under the OS temp dir
   */
  readonly dir?: string;
}

/**
 * Starts etcd, kube-apiserver, kube-controller-manager, kube-scheduler and KWOK on 127.0.0.1 with
 * two simulated nodes (kwok-node-0, and kwok-gpu-0 labelled and tainted as a GPU node) and waits
 * until all are ready. The binaries come from scripts/tools.mjs (FLOBS_TOOLS_BIN, as `tool()`).
 * The processes also stop by themselves when this (jest worker) process exits.
 */
export function startControlPlane(options: StartOptions = {}): ControlPlane {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'flobs-cp-'));
  const kubectlBin = tool('kubectl');
  const env = {
    ...process.env,
    FLOBS_TOOLS_BIN: resolve(kubectlBin, '..'),
    FLOBS_CP_OWNER_PID: String(process.pid),
  };
  const t0 = Date.now();
  const started = spawnSync('bash', [SCRIPT, 'start', dir], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (started.status !== 0) {
    throw new Error(`scripts/control-plane.sh start ${dir} failed (status ${started.status}):\n${started.stderr}`);
  }
  const startSeconds = (Date.now() - t0) / 1000;
  const match = /^export KUBECONFIG=(.+)$/m.exec(started.stdout);
  if (match === null) {
    throw new Error(`scripts/control-plane.sh start printed no KUBECONFIG:\n${started.stdout}`);
  }
  const kubeconfig = join(dir, 'kubeconfig');
  const kubectlResult = (args: readonly string[], input?: string) => {
    const r = spawnSync(kubectlBin, ['--kubeconfig', kubeconfig, ...args], {
      encoding: 'utf8',
      input,
      maxBuffer: 256 * 1024 * 1024,
    });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  return {
    dir,
    kubeconfig,
    startSeconds,
    kubectlResult,
    kubectl(args, input) {
      const r = kubectlResult(args, input);
      if (r.status !== 0) {
        throw new Error(`kubectl ${args.join(' ')} failed (status ${r.status}):\n${r.stderr}`);
      }
      return r.stdout;
    },
    stop(keep = false) {
      execFileSync('bash', [SCRIPT, 'stop', dir], {
        env: { ...env, FLOBS_CP_KEEP: keep ? '1' : '' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    },
  };
}

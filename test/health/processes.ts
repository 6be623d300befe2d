import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { httpGet, type HttpResponse } from '../../src/health/http';

/** A free TCP port on 127.0.0.1 (the kernel's pick, released at once). */
export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePromise(port));
    });
  });
}

/** A new temporary directory. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `flobs-health-${prefix}-`));
}

/** Writes `content` as YAML into `dir/name` and returns the path. */
export function writeYaml(dir: string, name: string, content: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, stringify(content, { lineWidth: 0 }));
  return file;
}

/** A process started by a test, listening on loopback. */
export interface Started {
  readonly name: string;
  readonly child: ChildProcess;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** What it printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM, then SIGKILL after the grace period; resolves when it exited. */
  stop(): Promise<void>;
}

const running = new Set<Started>();

/** Polls `url` until `ready(response)`; throws with the process output after `timeoutMs`. */
export async function waitFor(url: string, ready: (res: HttpResponse) => boolean, timeoutMs: number, describe: () => string = () => ''): Promise<HttpResponse> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const res = await httpGet(url, { timeoutMs: 2000 });
      if (ready(res)) {
        return res;
      }
      last = `HTTP ${res.status}: ${res.body.slice(0, 200)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (last: ${last})\n${describe()}`);
}

/** Options of {@link start}. */
export interface StartOptions {
  readonly port: number;
  /** Path polled until it answers 200. */
  readonly readyPath: string;
  readonly env?: Readonly<Record<string, string>>;
  /** @default 60000 */
  readonly timeoutMs?: number;
  /**
   * Start it as a process group leader and signal the whole group on stop (for programs that
   * start children of their own). @default false
   */
  readonly group?: boolean;
  /** Time between SIGTERM and SIGKILL on stop. @default 5000 */
  readonly graceMs?: number;
}

/** Starts `command args`, waits until `http://127.0.0.1:<port><readyPath>` answers 200. */
export async function start(name: string, command: string, args: readonly string[], options: StartOptions): Promise<Started> {
  const group = options.group ?? false;
  const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env }, detached: group });
  const signal = (sig: NodeJS.Signals): void => {
    try {
      if (group && child.pid !== undefined) {
        process.kill(-child.pid, sig);
      } else {
        child.kill(sig);
      }
    } catch {
      // already gone
    }
  };
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const started: Started = {
    name,
    child,
    url: `http://127.0.0.1:${options.port}`,
    output: () => out,
    stop: async () => {
      running.delete(started);
      if (child.exitCode === null && child.signalCode === null) {
        signal('SIGTERM');
        const timer = setTimeout(() => signal('SIGKILL'), options.graceMs ?? 5000);
        await exited;
        clearTimeout(timer);
      }
      if (group) {
        // Whatever of the group outlived its leader.
        signal('SIGKILL');
      }
    },
  };
  running.add(started);
  try {
    await waitFor(`${started.url}${options.readyPath}`, (res) => res.status === 200, options.timeoutMs ?? 60_000, () => `${name} output:\n${out.slice(-2000)}`);
  } catch (err) {
    await started.stop();
    throw err;
  }
  return started;
}

/** Stops every process still running (afterAll). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop()));
}

import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { dirname } from 'node:path';

/** How a process ended. */
export interface ExitStatus {
  /** The exit code, or null when a signal ended it. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** One entry of the process table: a pid and its start time (to survive pid reuse). */
interface Known {
  readonly pid: number;
  readonly started: string;
}

function statOf(pid: number): { ppid: number; started: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(rest[1]), started: rest[19] };
  } catch {
    return undefined;
  }
}

/** Every live descendant of `root` (children, grandchildren…), from /proc. */
export function descendantsOf(root: number): Known[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    const stat = statOf(Number(entry));
    if (stat !== undefined) {
      children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), Number(entry)]);
    }
  }
  const out: Known[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    const stat = statOf(pid);
    if (stat !== undefined) {
      out.push({ pid, started: stat.started });
      queue.push(...(children.get(pid) ?? []));
    }
  }
  return out;
}

function alive(k: Known): boolean {
  return statOf(k.pid)?.started === k.started;
}

function signalAll(known: Iterable<Known>, signal: NodeJS.Signals): void {
  for (const k of known) {
    if (alive(k)) {
      try {
        process.kill(k.pid, signal);
      } catch {
        // gone meanwhile
      }
    }
  }
}

/**
 * CRI log line (`<RFC3339Nano> <stream> <F|P> <text>`), as the kubelet's runtime writes container
 * output: `F` ends a line, `P` marks a partial line that the next entries of the stream continue.
 */
export function criLine(stream: 'stdout' | 'stderr', line: string, at: Date = new Date(), partial = false): string {
  const iso = at.toISOString(); // millisecond precision: pad to nanoseconds
  return `${iso.slice(0, -1)}000000Z ${stream} ${partial ? 'P' : 'F'} ${line}\n`;
}

/**
 * One long output line as the runtime writes it when the line exceeds its buffer: `P` entries of
 * `chunk` characters each, then the rest as an `F` entry.
 */
export function criPartialLines(stream: 'stdout' | 'stderr', line: string, chunk: number, at: Date = new Date()): string {
  const parts: string[] = [];
  for (let i = 0; i < line.length; i += chunk) {
    parts.push(line.slice(i, i + chunk));
  }
  return parts.map((p, i) => criLine(stream, p, at, i < parts.length - 1)).join('');
}

/** What to start. */
export interface ProcessSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** Container output is appended here in the CRI format, as the kubelet would write it. */
  readonly criLog: string;
}

/**
 * A started process whose whole tree (including children that detach into new sessions, as
 * Flower's do) is remembered and stopped together.
 */
export class ManagedProcess {
  public readonly name: string;
  public readonly criLog: string;
  /** Resolves once the process itself has exited. */
  public readonly exited: Promise<ExitStatus>;
  private readonly child: ChildProcess;
  private readonly known = new Map<number, Known>();
  private status: ExitStatus | undefined;
  private readonly partial = { stdout: '', stderr: '' };
  private readonly poller: NodeJS.Timeout;

  constructor(spec: ProcessSpec) {
    this.name = spec.name;
    this.criLog = spec.criLog;
    mkdirSync(dirname(spec.criLog), { recursive: true });
    appendFileSync(spec.criLog, '');
    this.child = spawn(spec.command, [...spec.args], { cwd: spec.cwd, env: { ...spec.env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.status = { code, signal };
        this.flush();
        resolve(this.status);
      });
      this.child.once('error', (err) => {
        appendFileSync(spec.criLog, criLine('stderr', `spawn failed: ${err.message}`));
        this.status = { code: 127, signal: null };
        resolve(this.status);
      });
    });
    for (const stream of ['stdout', 'stderr'] as const) {
      this.child[stream]?.setEncoding('utf8');
      this.child[stream]?.on('data', (chunk: string) => this.write(stream, chunk));
    }
    if (this.child.pid !== undefined) {
      const stat = statOf(this.child.pid);
      if (stat !== undefined) {
        this.known.set(this.child.pid, { pid: this.child.pid, started: stat.started });
      }
    }
    this.poller = setInterval(() => this.remember(), 1000);
    this.poller.unref();
  }

  public get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Whether the process itself still runs. */
  public isRunning(): boolean {
    return this.status === undefined;
  }

  /** The exit status once exited. */
  public get exitStatus(): ExitStatus | undefined {
    return this.status;
  }

  /** The lines the process printed so far (CRI prefixes removed). */
  public output(): string[] {
    try {
      return readFileSync(this.criLog, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => l.replace(/^\S+ (stdout|stderr) [FP] /, ''));
    } catch {
      return [];
    }
  }

  /** Every pid of the tree seen so far (for a last-resort synchronous kill). */
  public knownPids(): Known[] {
    this.remember();
    return [...this.known.values()].filter(alive);
  }

  /** SIGTERM to the whole tree, then SIGKILL to whatever is left after `graceMs`. */
  public async stop(graceMs = 5000): Promise<ExitStatus> {
    this.remember();
    clearInterval(this.poller);
    const tree = [...this.known.values()];
    signalAll(tree, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && tree.some(alive)) {
      await new Promise((r) => setTimeout(r, 100));
      for (const k of this.isRunning() ? descendantsOf(this.pid) : []) {
        if (!tree.some((t) => t.pid === k.pid)) {
          tree.push(k);
        }
      }
    }
    signalAll([...tree, ...(this.isRunning() ? descendantsOf(this.pid) : [])], 'SIGKILL');
    let timer: NodeJS.Timeout | undefined;
    const status = await Promise.race([this.exited, new Promise<ExitStatus>((r) => (timer = setTimeout(() => r({ code: null, signal: 'SIGKILL' }), 5000)))]);
    clearTimeout(timer);
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
    return status;
  }

  /** Synchronous last resort (process exit hook): SIGKILL every known pid. */
  public killNow(): void {
    signalAll(this.known.values(), 'SIGKILL');
  }

  private remember(): void {
    if (!this.isRunning()) {
      return;
    }
    for (const k of descendantsOf(this.pid)) {
      this.known.set(k.pid, k);
    }
  }

  private write(stream: 'stdout' | 'stderr', chunk: string): void {
    const text = this.partial[stream] + chunk;
    const lines = text.split('\n');
    this.partial[stream] = lines.pop() ?? '';
    if (lines.length > 0) {
      const now = new Date();
      appendFileSync(this.criLog, lines.map((l) => criLine(stream, l.replace(/\r$/, ''), now)).join(''));
    }
  }

  private flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream] !== '') {
        appendFileSync(this.criLog, criLine(stream, this.partial[stream]));
        this.partial[stream] = '';
      }
    }
  }
}

/** A TCP socket of a process that is not confined to the loopback interface. */
export interface ExposedSocket {
  readonly pid: number;
  readonly local: string;
  readonly remote: string;
  /** `listen` for a listening socket, else `connected`. */
  readonly kind: 'listen' | 'connected';
}

function ipv4(hex: string): string {
  return [6, 4, 2, 0].map((i) => parseInt(hex.slice(i, i + 2), 16)).join('.');
}

function ipv6(hex: string): string {
  // Four 32-bit words, each in host (little-endian) byte order.
  const bytes = [0, 8, 16, 24].flatMap((w) => [6, 4, 2, 0].map((i) => hex.slice(w + i, w + i + 2)));
  const groups = Array.from({ length: 8 }, (_, i) => `${bytes[2 * i]}${bytes[2 * i + 1]}`.replace(/^0+(?=.)/, '').toLowerCase());
  return groups.join(':');
}

function address(hexWithPort: string, v6: boolean): { ip: string; port: number } {
  const [ip, port] = hexWithPort.split(':');
  return { ip: v6 ? ipv6(ip) : ipv4(ip), port: parseInt(port, 16) };
}

function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '0:0:0:0:0:0:0:1' || /^0:0:0:0:0:ffff:7f/.test(ip);
}
function isUnspecified(ip: string): boolean {
  return ip === '0.0.0.0' || ip === '0:0:0:0:0:0:0:0';
}

/**
 * TCP sockets of these processes that listen on, or talk to, anything but 127.0.0.1/::1 (from
 * /proc/net/tcp{,6} and the processes' file descriptors).
 */
export function exposedSockets(pids: readonly number[]): ExposedSocket[] {
  const owner = new Map<string, number>();
  for (const pid of pids) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        try {
          const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
          const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
          if (inode !== undefined) {
            owner.set(inode, pid);
          }
        } catch {
          // fd closed meanwhile
        }
      }
    } catch {
      // process gone
    }
  }
  const out: ExposedSocket[] = [];
  for (const [file, v6] of [
    ['/proc/net/tcp', false],
    ['/proc/net/tcp6', true],
  ] as const) {
    let rows: string[] = [];
    try {
      rows = readFileSync(file, 'utf8').split('\n').slice(1);
    } catch {
      continue;
    }
    for (const row of rows) {
      const cols = row.trim().split(/\s+/);
      if (cols.length < 10 || !owner.has(cols[9])) {
        continue;
      }
      const local = address(cols[1], v6);
      const remote = address(cols[2], v6);
      const listening = cols[3] === '0A';
      const exposed = listening ? !isLoopback(local.ip) : !isLoopback(remote.ip) && !isUnspecified(remote.ip);
      if (exposed) {
        out.push({ pid: owner.get(cols[9])!, local: `${local.ip}:${local.port}`, remote: `${remote.ip}:${remote.port}`, kind: listening ? 'listen' : 'connected' });
      }
    }
  }
  return out;
}

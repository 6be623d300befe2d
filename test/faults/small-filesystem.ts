/**
 * A small size-limited filesystem (tmpfs) the disk-pressure scenario mounts over a data directory
 * and fills. Mounting needs root (the suite checks {@link canMount} first); it is unmounted by
 * {@link SmallFilesystem.release} and, should the test process end first, by an exit hook (lazy
 * unmount: it detaches even while a process still has files open in it).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Options of {@link SmallFilesystem.mount}. */
export interface SmallFilesystemOptions {
  /** The directory to mount over (what it holds is hidden until the unmount). */
  readonly dir: string;
  /** The filesystem's size in bytes. */
  readonly sizeBytes: number;
}

function run(command: string, args: readonly string[]): { ok: boolean; output: string } {
  const r = spawnSync(command, [...args], { encoding: 'utf8', timeout: 30_000 });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error?.message ?? ''}`.trim() };
}

/** Whether this process may mount a tmpfs (root, and the kernel lets it): tries on a scratch directory. */
export function canMount(): { ok: boolean; why: string } {
  const dir = mkdtempSync(join(tmpdir(), 'flobs-mount-check-'));
  try {
    const mounted = run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
    if (!mounted.ok) {
      return { ok: false, why: mounted.output };
    }
    run('umount', [dir]);
    return { ok: true, why: '' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A mounted tmpfs of a fixed size. */
export class SmallFilesystem {
  private released = false;
  private readonly filler: string;
  private readonly exitHook = (): void => {
    run('umount', ['-l', this.dir]);
  };

  private constructor(public readonly dir: string) {
    this.filler = join(dir, 'disk-pressure-filler');
    process.once('exit', this.exitHook);
  }

  /** Mounts a tmpfs of `sizeBytes` over `dir` (created if missing). Throws with mount's message. */
  public static mount(o: SmallFilesystemOptions): SmallFilesystem {
    mkdirSync(o.dir, { recursive: true });
    const r = run('mount', ['-t', 'tmpfs', '-o', `size=${o.sizeBytes}`, 'tmpfs', o.dir]);
    if (!r.ok) {
      throw new Error(`mount -t tmpfs -o size=${o.sizeBytes} over ${o.dir}: ${r.output}`);
    }
    return new SmallFilesystem(o.dir);
  }

  /** Bytes available to unprivileged writers now. */
  public freeBytes(): number {
    const s = statfsSync(this.dir);
    return s.bavail * s.bsize;
  }

  /** Fills the filesystem with one file until `leaveFreeBytes` remain (written, not sparse). */
  public fillUntilFree(leaveFreeBytes: number): void {
    const chunk = Buffer.alloc(1 << 20, 0x5a);
    const fd = openSync(this.filler, 'a');
    try {
      for (let left = this.freeBytes() - leaveFreeBytes; left > 0; left -= chunk.length) {
        writeSync(fd, chunk, 0, Math.min(chunk.length, left));
      }
    } finally {
      closeSync(fd);
    }
  }

  /** Removes the filler: the space is free again. */
  public unfill(): void {
    rmSync(this.filler, { force: true });
  }

  /** Unmounts (lazily: processes that still use it keep their view until they close it). Idempotent. */
  public release(): void {
    if (this.released) {
      return;
    }
    this.released = true;
    const r = run('umount', ['-l', this.dir]);
    process.removeListener('exit', this.exitHook);
    if (!r.ok) {
      throw new Error(`umount -l ${this.dir}: ${r.output}`);
    }
  }
}

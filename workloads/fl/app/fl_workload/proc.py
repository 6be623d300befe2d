"""Child-process helpers: log pumping and whole-tree teardown (Linux /proc)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence


def flower_executable(name: str) -> str:
    """Path of a Flower console script (next to the running interpreter, else PATH)."""
    candidate = os.path.join(os.path.dirname(sys.executable), name)
    if os.access(candidate, os.X_OK):
        return candidate
    found = shutil.which(name)
    if not found:
        raise FileNotFoundError(f"{name} not found next to {sys.executable} or on PATH")
    return found


def _parent_map() -> dict[int, int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read().decode(errors="replace")
        except OSError:
            continue
        # Field 2 (comm) may contain spaces/parens: split after the last ')'.
        rest = stat[stat.rfind(")") + 2:].split()
        if len(rest) >= 2:
            parents[int(entry)] = int(rest[1])
    return parents


def descendants(pid: int) -> list[int]:
    """All descendant PIDs of ``pid`` (children first-level first)."""
    parents = _parent_map()
    children: dict[int, list[int]] = {}
    for child, parent in parents.items():
        children.setdefault(parent, []).append(child)
    result: list[int] = []
    queue = [pid]
    while queue:
        current = queue.pop(0)
        for child in children.get(current, []):
            result.append(child)
            queue.append(child)
    return result


def start_time(pid: int) -> int | None:
    """Kernel start time of ``pid`` (clock ticks since boot): identifies a process
    across PID reuse."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read().decode(errors="replace")
        return int(stat[stat.rfind(")") + 2:].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def is_running(pid: int, started: int | None) -> bool:
    """True if the process ``pid`` that started at ``started`` is still running (not a zombie)."""
    return started is not None and start_time(pid) == started and _alive(pid)


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read().decode(errors="replace")
        return stat[stat.rfind(")") + 2:].split()[0] != "Z"
    except OSError:
        return False


def _signal(pids: Sequence[int], sig: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def terminate_tree(proc: subprocess.Popen, timeout: float = 5.0, kill: bool = False) -> None:
    """Stop ``proc`` and every descendant (Flower detaches some into new sessions)."""
    pids = [proc.pid, *descendants(proc.pid)] if proc.poll() is None else descendants(proc.pid)
    if not kill:
        _signal(pids, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            proc.poll()
            if not any(_alive(p) for p in pids):
                break
            time.sleep(0.05)
    # Whatever is left (including grandchildren that appeared meanwhile) is killed.
    remaining = [p for p in pids + descendants(proc.pid) if _alive(p)]
    _signal(remaining, signal.SIGKILL)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        pass


def start_logged(cmd: list[str], env: dict[str, str], on_line: Callable[[str], None],
                 cwd: str | None = None) -> subprocess.Popen:
    """Start ``cmd`` with stdout+stderr merged and pumped line by line to ``on_line``."""
    proc = subprocess.Popen(  # pylint: disable=consider-using-with
        cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, bufsize=1, text=True, errors="replace",
    )

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            try:
                on_line(line)
            except Exception:  # pylint: disable=broad-except
                pass

    threading.Thread(target=pump, name=f"pump-{os.path.basename(cmd[0])}", daemon=True).start()
    return proc

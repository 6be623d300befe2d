"""Event channel from the Flower app processes to the supervising wrapper.

Flower runs the ``ServerApp`` / ``ClientApp`` code in processes that it spawns
itself (``flwr-serverapp``, ``flwr-clientapp``). Those processes report metric
updates, log records and control signals by appending JSON lines to the file
named by ``FL_EVENTS_FILE`` (set by the wrapper, inherited through Flower's
process tree). The wrapper tails the file, owns the Prometheus registry and
serves ``/metrics``. Without ``FL_EVENTS_FILE`` events are dropped.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from typing import Any

EVENTS_FILE_ENV = "FL_EVENTS_FILE"


class EventWriter:
    def __init__(self, path: str | None = None):
        self.path = path if path is not None else os.environ.get(EVENTS_FILE_ENV)
        self._lock = threading.Lock()

    def emit(self, kind: str, **fields: Any) -> None:
        if not self.path:
            return
        payload = {"kind": kind, "ts": time.time(), "pid": os.getpid(), **fields}
        data = (json.dumps(payload, default=str, separators=(",", ":")) + "\n").encode()
        with self._lock:
            # One write() on an O_APPEND descriptor: lines from concurrent
            # processes do not interleave.
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)

    # Convenience helpers -------------------------------------------------
    def metric(self, op: str, name: str, value: float = 1.0, **labels: str) -> None:
        self.emit("metric", op=op, name=name, value=value, labels=labels)

    def metrics(self, *ops: tuple[str, str, float] | tuple[str, str, float, dict[str, str]]) -> None:
        """Several metric updates that the wrapper applies atomically (op, name, value[, labels])."""
        self.emit("metrics", ops=[{"op": o[0], "name": o[1], "value": o[2],
                                   "labels": o[3] if len(o) > 3 else {}} for o in ops])

    def log(self, level: str, message: str, *, component: str, round: int | None = None,
            client_id: str | None = None, **extra: Any) -> None:  # pylint: disable=redefined-builtin
        self.emit("log", level=level, message=message, component=component, round=round,
                  client_id=client_id, extra=extra)

    def control(self, action: str, **fields: Any) -> None:
        self.emit("control", action=action, **fields)


class EventTailer(threading.Thread):
    """Follow an events file and hand every complete JSON line to ``handler``."""

    def __init__(self, path: str, handler: Callable[[dict[str, Any]], None], interval: float = 0.1):
        super().__init__(name="event-tailer", daemon=True)
        self.path = path
        self.handler = handler
        self.interval = interval
        self._stop_event = threading.Event()
        self._offset = 0
        self._partial = b""
        self._poll_lock = threading.Lock()

    def stop(self) -> None:
        self._stop_event.set()

    def poll_once(self) -> None:
        with self._poll_lock:
            self._poll_once()

    def _poll_once(self) -> None:
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self._offset)
                chunk = handle.read()
        except FileNotFoundError:
            return
        if not chunk:
            return
        self._offset += len(chunk)
        data = self._partial + chunk
        *lines, self._partial = data.split(b"\n")
        for raw in lines:
            if not raw.strip():
                continue
            try:
                event = json.loads(raw)
            except json.JSONDecodeError:
                continue
            if isinstance(event, dict):
                self.handler(event)

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.poll_once()
            self._stop_event.wait(self.interval)
        self.poll_once()

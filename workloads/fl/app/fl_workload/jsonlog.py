"""Structured JSON logging: one JSON object per line on stdout.

Every record has the fields ``timestamp`` (RFC 3339, UTC), ``level``,
``service`` (``fl-server`` / ``fl-client``), ``component``, ``round`` (null when
not applicable), ``client_id`` (null when not applicable), ``message`` and
``seq``: the record's number in this logger's output (1, 2, 3, … with no gaps,
in the order the lines are written), so a log store can be checked for lost or
duplicated lines (the fault suite, test/faults/, counts them).
Extra keyword fields may be added (e.g. ``event``), and fields of the logger's
``context`` (the server's ``mlflow_run_id``, once the federation's MLflow run exists).
"""

from __future__ import annotations

import json
import re
import sys
import threading
from datetime import datetime, timezone
from typing import Any, TextIO

LEVELS = {"debug": 10, "info": 20, "warning": 30, "error": 40, "critical": 50}
REQUIRED_FIELDS = ("timestamp", "level", "service", "component", "round", "client_id", "message", "seq")

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# Flower's console format: "INFO :      message"
_FLOWER_LINE = re.compile(r"^(DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL)\s*:\s?(.*)$")
# uvicorn format used by SuperLink/SuperNode: "2026-01-01T00:00:00.000Z INFO [uvicorn.access] ..."
_UVICORN_LINE = re.compile(r"^\S+Z\s+(DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL)\s+\[([\w.]+)\]\s?(.*)$")
# Python's default "LEVEL:logger:message" and uvicorn's "LEVEL:     message"
_PLAIN_LINE = re.compile(r"^(DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL):\s*(.*)$")


def utc_timestamp() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonLogger:
    def __init__(self, service: str, min_level: str = "info", stream: TextIO | None = None):
        self.service = service
        self.min_level = LEVELS.get(min_level, 20)
        self.stream = stream or sys.stdout
        self._lock = threading.Lock()
        self._seq = 0
        self.client_id: str | None = None
        # Fields every later record carries, e.g. the federation's `mlflow_run_id` once its run exists.
        self.context: dict[str, Any] = {}

    def log(
        self,
        level: str,
        message: str,
        *,
        component: str,
        round: int | None = None,  # pylint: disable=redefined-builtin
        client_id: str | None = None,
        **extra: Any,
    ) -> None:
        level = level.lower()
        if level == "warn":
            level = "warning"
        if LEVELS.get(level, 20) < self.min_level:
            return
        record: dict[str, Any] = {
            "timestamp": utc_timestamp(),
            "level": level,
            "service": self.service,
            "component": component,
            "round": round,
            "client_id": client_id if client_id is not None else self.client_id,
            "message": message,
        }
        for key, value in [*extra.items(), *self.context.items()]:
            if key not in record and value is not None:
                record[key] = value
        with self._lock:
            # Numbered under the lock: the numbers follow the order of the lines in the stream.
            self._seq += 1
            record["seq"] = self._seq
            line = json.dumps(record, default=str, separators=(",", ":"))
            try:
                self.stream.write(line + "\n")
                self.stream.flush()
            except (BrokenPipeError, ValueError):
                pass

    def info(self, message: str, **kw: Any) -> None:
        self.log("info", message, **kw)

    def warning(self, message: str, **kw: Any) -> None:
        self.log("warning", message, **kw)

    def error(self, message: str, **kw: Any) -> None:
        self.log("error", message, **kw)

    def debug(self, message: str, **kw: Any) -> None:
        self.log("debug", message, **kw)

    def child_line(self, component: str, raw: str) -> None:
        """Re-emit one line of a Flower child process' output as a JSON record."""
        line = _ANSI.sub("", raw).rstrip()
        if not line.strip():
            return
        level, message, sub = "info", line, None
        if match := _UVICORN_LINE.match(line):
            level, sub, message = match.group(1), match.group(2), match.group(3)
        elif match := _FLOWER_LINE.match(line):
            level, message = match.group(1), match.group(2)
        elif match := _PLAIN_LINE.match(line):
            level, message = match.group(1), match.group(2)
        message = message.strip()
        if not message:
            return
        if sub == "uvicorn.access":
            # Request logs of Flower's HTTP APIs (nodes poll continuously): debug only.
            level = "debug"
        self.log(level, message, component=component, logger=sub)

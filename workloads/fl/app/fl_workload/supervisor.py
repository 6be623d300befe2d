"""Shared parts of the fl-server / fl-client wrapper processes.

A wrapper owns the Prometheus registry and the /metrics, /healthz, /readyz
endpoint, starts Flower's long-running process (SuperLink or SuperNode) as a
child, re-emits the child's output as JSON log lines, applies the events that
the ServerApp/ClientApp processes report, and tears the whole process tree down
on exit.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from .events import EVENTS_FILE_ENV, EventTailer
from .httpserver import ObservabilityServer
from .jsonlog import JsonLogger
from .metrics import MetricSet, MetricSpec
from .proc import terminate_tree

APP_DIR = Path(__file__).resolve().parent.parent  # contains the Flower app's pyproject.toml


class Supervisor:  # pylint: disable=too-many-instance-attributes
    def __init__(self, logger: JsonLogger, specs: tuple[MetricSpec, ...], prefix: str):
        self.logger = logger
        self.metrics = MetricSet(specs)
        self.stop_requested = threading.Event()
        self.children: list[subprocess.Popen] = []
        self.http: ObservabilityServer | None = None
        self.tailer: EventTailer | None = None
        flwr_home = os.environ.get("FLWR_HOME", "").strip()
        self.owns_home = not flwr_home
        if flwr_home:
            Path(flwr_home).mkdir(parents=True, exist_ok=True)
        else:
            flwr_home = tempfile.mkdtemp(prefix=f"{prefix}-flwr-home-")
        self.flwr_home = flwr_home
        self.events_file = os.path.join(flwr_home, f"{prefix}-events.jsonl")
        Path(self.events_file).write_bytes(b"")
        self.env = dict(os.environ)
        self.env.update({
            "FLWR_HOME": flwr_home,
            # Never phone home: no telemetry, no update checks.
            "FLWR_TELEMETRY_ENABLED": "0",
            "FLWR_DISABLE_UPDATE_CHECK": "1",
            EVENTS_FILE_ENV: self.events_file,
            "PYTHONUNBUFFERED": "1",
        })
        # Flower's SuperExec polls for new ServerApp/ClientApp tasks every 1s by default; 0.5s halves the wait at a small CPU cost.
        self.env.setdefault("FLWR_SUPEREXEC_TASK_POLL_INTERVAL", "0.5")
        # Flower spawns helper executables (flower-superexec, flwr-serverapp,
        # flwr-clientapp) by name: the interpreter's bin directory must be on PATH.
        bin_dir = os.path.dirname(sys.executable)
        self.env["PATH"] = bin_dir + os.pathsep + self.env.get("PATH", "/usr/local/bin:/usr/bin:/bin")
        existing = self.env.get("PYTHONPATH")
        self.env["PYTHONPATH"] = str(APP_DIR) + (os.pathsep + existing if existing else "")

    # -- lifecycle -------------------------------------------------------------
    def install_signal_handlers(self) -> None:
        def handler(signum: int, _frame: Any) -> None:
            self.logger.info(f"received {signal.Signals(signum).name}; shutting down",
                             component="supervisor", event="signal")
            self.stop_requested.set()

        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)

    def start_http(self, host: str, port: int) -> None:
        self.http = ObservabilityServer(host, port, self.metrics.exposition, self.healthz, self.readyz)
        self.http.start()
        self.logger.info(f"serving /metrics, /healthz, /readyz on {host}:{port}", component="supervisor")

    def start_events(self) -> None:
        self.tailer = EventTailer(self.events_file, self._handle_event_safe)
        self.tailer.start()

    def shutdown(self) -> None:
        for child in reversed(self.children):
            terminate_tree(child, timeout=5.0)
        if self.tailer is not None:
            self.tailer.stop()
            self.tailer.join(timeout=2.0)
        if self.http is not None:
            self.http.stop()
        if self.owns_home:
            shutil.rmtree(self.flwr_home, ignore_errors=True)

    # -- probes (overridden) -------------------------------------------------
    def healthz(self) -> tuple[bool, str]:
        return True, "ok"

    def readyz(self) -> tuple[bool, str]:
        return True, "ok"

    # -- events --------------------------------------------------------------
    def _handle_event_safe(self, event: dict[str, Any]) -> None:
        try:
            self.handle_event(event)
        except Exception as err:  # pylint: disable=broad-except
            self.logger.warning(f"ignoring malformed event {event!r}: {err}", component="supervisor")

    def handle_event(self, event: dict[str, Any]) -> None:
        kind = event.get("kind")
        if kind == "metric":
            self.metrics.apply(event["op"], event["name"], float(event.get("value", 1.0)),
                               event.get("labels") or {})
        elif kind == "metrics":
            self.metrics.apply_batch([(o["op"], o["name"], float(o.get("value", 1.0)), o.get("labels") or {})
                                      for o in event.get("ops", [])])
        elif kind == "log":
            extra = event.get("extra") or {}
            self.logger.log(str(event.get("level", "info")), str(event.get("message", "")),
                            component=str(event.get("component", "app")), round=event.get("round"),
                            client_id=event.get("client_id"), **extra)
        elif kind == "control":
            self.handle_control(event)

    def handle_control(self, event: dict[str, Any]) -> None:  # pragma: no cover - overridden
        pass


_LOG_LEVELS = {"debug": 10, "info": 20, "warning": 30, "error": 40}


def run_service(service: str, load_config: Any, supervisor_class: Any) -> int:
    """Entry point shared by fl-server and fl-client: validated config, JSON logger, supervisor.

    Exit codes: the supervisor's, or 2 for an invalid configuration (named in the message).
    """
    from .config import ConfigError  # pylint: disable=import-outside-toplevel

    logger = JsonLogger(service, os.environ.get("FL_LOG_LEVEL", "info").strip().lower() or "info")
    try:
        cfg = load_config()
    except ConfigError as err:
        logger.error(f"invalid configuration: {err}", component="config", event="config_error")
        print(f"{service}: invalid configuration: {err}", file=sys.stderr)
        return 2
    logger.min_level = _LOG_LEVELS[cfg.log_level]
    return int(supervisor_class(cfg, logger).run())

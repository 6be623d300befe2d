"""fl-server: runs a Flower SuperLink, submits the FL run, exports metrics.

Usage: ``python -m fl_workload.server`` (configured by FL_* environment variables,
see README.md). Exit codes: 0 training completed, 1 training/run failed or Flower
failed, 2 invalid configuration, 143 stopped by SIGTERM/SIGINT before training ended.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from typing import Any

from .config import ServerConfig, load_server_config
from .jsonlog import JsonLogger
from .metrics import TRAINING_FINISHED, server_metrics
from .model import init_parameters, num_parameters
from .proc import cmdline, descendants, flower_executable, start_logged
from .supervisor import APP_DIR, Supervisor, run_service

SUPERLINK_STARTUP_TIMEOUT = 60.0
SUBMIT_TIMEOUT = 120.0


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(str(value))  # a JSON string is a valid TOML basic string


class ServerSupervisor(Supervisor):
    def __init__(self, cfg: ServerConfig, logger: JsonLogger):
        super().__init__(logger, server_metrics(cfg.round_duration_buckets), "fl-server")
        self.cfg = cfg
        self.superlink: subprocess.Popen | None = None
        self.superlink_ready = False
        self.run_id: str | None = None
        self.state = "starting"  # starting -> running -> completed | failed
        self.state_reason = ""
        self.finished_at: float | None = None
        self.serverapp_seen = False
        self.serverapp_gone_at: float | None = None

    # -- probes ---------------------------------------------------------------
    def healthz(self) -> tuple[bool, str]:
        if self.superlink is not None and self.superlink.poll() is not None and self.state not in (
                "completed", "failed"):
            return False, f"superlink exited with code {self.superlink.returncode}"
        return True, self.state

    def readyz(self) -> tuple[bool, str]:
        if not self.superlink_ready or self.superlink is None or self.superlink.poll() is not None:
            return False, "superlink not accepting connections"
        return True, self.state

    # -- events ---------------------------------------------------------------
    def handle_control(self, event: dict[str, Any]) -> None:
        action = event.get("action")
        if action == "status" and event.get("state") in ("completed", "failed"):
            self._finish(str(event["state"]), str(event.get("reason", "")))
        elif action == "mlflow_run" and event.get("run_id"):
            # The federation's MLflow run exists: every later log line names it.
            self.logger.context["mlflow_run_id"] = str(event["run_id"])
        elif action == "done" and self.finished_at is None:
            # The ServerApp has also told the clients to stop: linger countdown starts.
            self.finished_at = time.monotonic()

    def _finish(self, state: str, reason: str = "") -> None:
        if self.state in ("completed", "failed"):
            return
        self.state, self.state_reason = state, reason
        if state == "completed":
            # The run is over by design: TrainingStalled must not fire while the server lingers.
            self.metrics.set(TRAINING_FINISHED, 1)
        level = "info" if state == "completed" else "error"
        self.logger.log(level, f"training {state}" + (f": {reason}" if reason else ""),
                        component="supervisor", event=f"training_{state}", run_id=self.run_id)

    # -- steps ----------------------------------------------------------------
    def _connect_host(self) -> str:
        host = self.cfg.host.strip("[]")
        return {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)

    def start_superlink(self) -> None:
        host = self.cfg.host
        cmd = [flower_executable("flower-superlink"), "--insecure",
               "--disable-runtime-dependency-installation",
               "--host", host, "--port", str(self.cfg.port)]
        self.logger.info(f"starting SuperLink on {host}:{self.cfg.port}", component="supervisor",
                         command=" ".join(cmd))
        self.superlink = start_logged(cmd, self.env, lambda line: self.logger.child_line("superlink", line))
        self.children.append(self.superlink)
        deadline = time.monotonic() + SUPERLINK_STARTUP_TIMEOUT
        while time.monotonic() < deadline and not self.stop_requested.is_set():
            if self.superlink.poll() is not None:
                raise RuntimeError(f"SuperLink exited during startup with code {self.superlink.returncode}")
            try:
                with socket.create_connection((self._connect_host(), self.cfg.port), timeout=0.5):
                    self.superlink_ready = True
                    self.logger.info("SuperLink is accepting connections", component="supervisor",
                                     event="superlink_ready")
                    return
            except OSError:
                time.sleep(0.2)
        if not self.stop_requested.is_set():
            raise RuntimeError(f"SuperLink did not accept connections within {SUPERLINK_STARTUP_TIMEOUT:g}s")

    def submit_run(self) -> None:
        home = self.flwr_home
        connect = self._connect_host()
        address = f"[{connect}]:{self.cfg.port}" if ":" in connect else f"{connect}:{self.cfg.port}"
        with open(os.path.join(home, "config.toml"), "w", encoding="utf-8") as handle:
            handle.write(f'[superlink]\ndefault = "fl-local"\n\n[superlink.fl-local]\n'
                         f'address = "{address}"\ninsecure = true\n')
        run_config_path = os.path.join(home, "fl-run-config.toml")
        with open(run_config_path, "w", encoding="utf-8") as handle:
            for key, value in self.cfg.run_config().items():
                handle.write(f'"{key}" = {_toml_value(value)}\n')
        cmd = [flower_executable("flwr"), "run", str(APP_DIR), "fl-local",
               "--run-config", run_config_path, "--format", "json"]
        self.logger.info("submitting the FL run to the SuperLink", component="supervisor",
                         command=" ".join(cmd))
        result = subprocess.run(cmd, env=self.env, cwd=home, capture_output=True, text=True,
                                timeout=SUBMIT_TIMEOUT, check=False)
        stdout = result.stdout or ""
        payload: dict[str, Any] = {}
        first, last = stdout.find("{"), stdout.rfind("}")
        if 0 <= first < last:
            try:
                payload = json.loads(stdout[first:last + 1])
            except json.JSONDecodeError:
                payload = {}
            stdout = stdout[:first] + stdout[last + 1:]
        for line in stdout.splitlines() + (result.stderr or "").splitlines():
            self.logger.child_line("flwr-cli", line)
        if result.returncode != 0 or not payload.get("success"):
            raise RuntimeError(f"`flwr run` failed (exit {result.returncode}): "
                               f"{(result.stdout or '').strip()[-500:]} {(result.stderr or '').strip()[-500:]}")
        self.run_id = str(payload.get("run-id"))
        self.state = "running"
        self.logger.info(f"run {self.run_id} submitted", component="supervisor", event="run_submitted",
                         run_id=self.run_id)

    def _watch_serverapp(self) -> None:
        """Detect a ServerApp process that ended without reporting a final status."""
        if self.superlink is None or self.state == "starting" or self.finished_at is not None:
            return
        alive = any("flwr-serverapp" in cmdline(pid) for pid in descendants(self.superlink.pid))
        if alive:
            self.serverapp_seen, self.serverapp_gone_at = True, None
        elif self.serverapp_seen:
            now = time.monotonic()
            if self.serverapp_gone_at is None:
                self.serverapp_gone_at = now
            elif now - self.serverapp_gone_at > 3.0:
                if self.tailer is not None:
                    self.tailer.poll_once()
                self._finish("failed", "ServerApp process exited without reporting a final status")
                if self.finished_at is None:
                    self.finished_at = now

    # -- main -----------------------------------------------------------------
    def run(self) -> int:
        cfg = self.cfg
        self.install_signal_handlers()
        if not cfg.tracking_uri:
            # Untracked: no run id to wait for. Tracked, the ServerApp sets it with its MLflow run's id
            # (one series from the start, not one without the id and another with it).
            self.metrics.set("fl_training_info", 1, strategy=cfg.strategy, model=cfg.model_name, mlflow_run_id="")
        self.metrics.set("fl_model_parameters", num_parameters(init_parameters()))
        self.metrics.set("fl_current_round", 0)
        self.metrics.set(TRAINING_FINISHED, 0)
        self.logger.info(
            f"fl-server starting: rounds={cfg.num_rounds} min_clients={cfg.min_clients} "
            f"strategy={cfg.strategy} model={cfg.model_name} failure_policy={cfg.failure_policy} "
            f"mlflow={cfg.tracking_uri or 'off'}",
            component="supervisor", event="starting")
        try:
            self.start_http(cfg.metrics_host, cfg.metrics_port)
            self.start_events()
            self.start_superlink()
            if not self.stop_requested.is_set():
                self.submit_run()
            last_check = 0.0
            while not self.stop_requested.is_set():
                if self.superlink is not None and self.superlink.poll() is not None:
                    if self.state not in ("completed", "failed"):
                        self._finish("failed", f"SuperLink exited with code {self.superlink.returncode}")
                    break
                now = time.monotonic()
                if now - last_check >= 1.0:
                    self._watch_serverapp()
                    last_check = now
                if (self.finished_at is not None and cfg.linger_seconds >= 0
                        and now - self.finished_at >= cfg.linger_seconds):
                    break
                self.stop_requested.wait(0.2)
        except Exception as err:  # pylint: disable=broad-except
            self.logger.error(f"fl-server failed: {err}", component="supervisor", event="fatal")
            self.shutdown()
            return 1
        self.shutdown()
        if self.state == "failed":
            return 1
        if self.state == "completed":
            return 0
        return 143  # stopped (SIGTERM/SIGINT) before training ended


def main() -> int:
    return run_service("fl-server", load_server_config, ServerSupervisor)


if __name__ == "__main__":
    sys.exit(main())

"""fl-client: runs a Flower SuperNode for one data partition, exports metrics.

Usage: ``python -m fl_workload.client`` (configured by FL_* environment
variables, see README.md). Exit codes: 0 the server finished training and told
the client to stop, 1 the client failed (SuperNode died, server unreachable,
simulated crash), 2 invalid configuration, 143 stopped by SIGTERM/SIGINT before
training finished.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

from .config import ClientConfig, load_client_config
from .jsonlog import JsonLogger
from .metrics import CLIENT_METRICS
from .proc import flower_executable, start_logged, terminate_tree
from .supervisor import Supervisor, run_service

SHUTDOWN_GRACE_SECONDS = 2.0  # let the SuperNode deliver its last reply before stopping it


class ClientSupervisor(Supervisor):
    def __init__(self, cfg: ClientConfig, logger: JsonLogger):
        super().__init__(logger, CLIENT_METRICS, "fl-client")
        self.cfg = cfg
        self.supernode: subprocess.Popen | None = None
        self.shutdown_at: float | None = None
        self.crashed = False
        self.server_status = ""
        self.registered = False

    def healthz(self) -> tuple[bool, str]:
        if self.crashed:
            return False, "crashed"
        return True, "ok"

    def readyz(self) -> tuple[bool, str]:
        if self.supernode is None or self.supernode.poll() is not None:
            return False, "supernode not running"
        return True, "ok"

    def handle_control(self, event: dict[str, Any]) -> None:
        action = event.get("action")
        if action == "shutdown" and self.shutdown_at is None:
            self.server_status = str(event.get("status", ""))
            self.shutdown_at = time.monotonic() + SHUTDOWN_GRACE_SECONDS
        elif action == "crash":
            # Test hook (FL_TEST_CRASH_IN_ROUND): the client goes away mid-round, like a pod
            # that is terminated while training (SIGTERM: the SuperNode deregisters).
            self.crashed = True
            self.logger.error(f"simulated crash during fit of round {event.get('round')}: stopping "
                              "the SuperNode", component="supervisor", event="test_crash",
                              round=event.get("round"))
            if self.supernode is not None:
                terminate_tree(self.supernode, timeout=3.0)
            self.stop_requested.set()

    def start_supernode(self) -> None:
        cfg = self.cfg
        node_config = (f"partition-id={cfg.client_index} num-partitions={cfg.num_clients} "
                       f'client-id="{cfg.client_id}"')
        cmd = [flower_executable("flower-supernode"), "--insecure",
               "--superlink", cfg.server_address,
               "--host", "127.0.0.1", "--port", str(cfg.runtime_port),
               "--node-config", node_config,
               "--max-wait-time", f"{cfg.connect_timeout:g}"]
        self.logger.info(f"starting SuperNode (partition {cfg.client_index}/{cfg.num_clients}) "
                         f"for SuperLink {cfg.server_address}", component="supervisor", command=" ".join(cmd))
        def on_line(line: str) -> None:
            if "SuperNode ID:" in line:
                self.registered = True
            self.logger.child_line("supernode", line)

        self.supernode = start_logged(cmd, self.env, on_line)
        self.children.append(self.supernode)

    def run(self) -> int:
        self.install_signal_handlers()
        self.logger.client_id = self.cfg.client_id
        try:
            self.start_http(self.cfg.metrics_host, self.cfg.metrics_port)
            self.start_events()
            self.start_supernode()
            while not self.stop_requested.is_set():
                if self.shutdown_at is not None and time.monotonic() >= self.shutdown_at:
                    break
                assert self.supernode is not None
                if self.supernode.poll() is not None:
                    if self.tailer is not None:
                        self.tailer.poll_once()
                    if self.shutdown_at is None and not self.crashed:
                        hint = "" if self.registered else (
                            f"; could not connect to FL_SERVER_ADDRESS={self.cfg.server_address!r} within "
                            f"FL_SERVER_CONNECT_TIMEOUT_SECONDS={self.cfg.connect_timeout:g}")
                        self.logger.error(f"SuperNode exited unexpectedly with code {self.supernode.returncode}"
                                          + hint, component="supervisor", event="supernode_exited")
                        self.shutdown()
                        return 1
                    break
                self.stop_requested.wait(0.2)
        except Exception as err:  # pylint: disable=broad-except
            self.logger.error(f"fl-client failed: {err}", component="supervisor", event="fatal")
            self.shutdown()
            return 1
        if self.tailer is not None:
            self.tailer.poll_once()
        self.shutdown()
        if self.crashed:
            self.logger.error("client crashed (FL_TEST_CRASH_IN_ROUND test hook)", component="supervisor",
                              event="crashed")
            return 1
        if self.shutdown_at is not None:
            self.logger.info(f"training finished (server status: {self.server_status or 'unknown'}); exiting",
                             component="supervisor", event="exit")
            return 0
        return 143


def main() -> int:
    return run_service("fl-client", load_client_config, ClientSupervisor)


if __name__ == "__main__":
    sys.exit(main())

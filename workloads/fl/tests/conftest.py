"""Fixtures: real Flower federations on loopback (server wrapper + client wrappers).

Every process is started with bounded timeouts and torn down (with its whole
process tree) however a test ends. Only 127.0.0.1 is used, on ports that are
free at run time.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

FL_DIR = Path(__file__).resolve().parents[1]
APP_DIR = FL_DIR / "app"
REPO_ROOT = FL_DIR.parents[1]
CATALOG_PATH = REPO_ROOT / "contracts" / "metric-catalog.json"

sys.path.insert(0, str(APP_DIR))

from fl_workload.proc import descendants, start_time  # noqa: E402
from fake_mlflow import FakeMlflow  # noqa: E402

# Bound for the three concurrent federations (they take ~1-2 min on a busy 2-core machine).
FEDERATION_TIMEOUT = float(os.environ.get("FL_TEST_FEDERATION_TIMEOUT", "300"))


def _ephemeral_low() -> int:
    """Lowest port of the kernel's ephemeral range (outgoing connections' source ports)."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_ports(count: int) -> list[int]:
    """Ports free on 127.0.0.1 now, chosen BELOW the ephemeral range: a port the kernel hands out
    for binding to 0 is also handed out as the source port of outgoing connections (the federations
    make many), so it could be taken between choosing it and the server binding it."""
    rng = random.Random()
    sockets, ports = [], []
    try:
        while len(ports) < count:
            port = rng.randrange(10000, _ephemeral_low())
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                sock.close()
                continue
            sockets.append(sock)
            ports.append(port)
    finally:
        for sock in sockets:
            sock.close()
    return ports


def catalog_buckets(name: str) -> str:
    """A histogram's buckets as the contract lists them, in the FL_*_BUCKETS format the Deployment sets."""
    entry = next(m for m in json.loads(CATALOG_PATH.read_text(encoding="utf-8"))["metrics"] if m["name"] == name)
    return ",".join(str(b) for b in entry["buckets"])


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FL_", "FLWR_")) and k != "JOB_COMPLETION_INDEX"}
    env["PYTHONPATH"] = str(APP_DIR)
    env["PYTHONUNBUFFERED"] = "1"
    env["FLWR_TELEMETRY_ENABLED"] = "0"
    env["FLWR_DISABLE_UPDATE_CHECK"] = "1"
    return env


def http_get(url: str, timeout: float = 3.0) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 - loopback only
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


class Proc:
    """A wrapper process (fl-server / fl-client) with stdout/stderr in files."""

    def __init__(self, name: str, module: str, env: dict[str, str], workdir: Path):
        self.name = name
        self.stdout_path = workdir / f"{name}.stdout.jsonl"
        self.stderr_path = workdir / f"{name}.stderr.txt"
        self._out = open(self.stdout_path, "w", encoding="utf-8")  # noqa: SIM115
        self._err = open(self.stderr_path, "w", encoding="utf-8")  # noqa: SIM115
        self.popen = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", module], env=env, cwd=workdir, stdin=subprocess.DEVNULL,
            stdout=self._out, stderr=self._err, start_new_session=True,
        )
        self.known_pids: dict[int, int | None] = {}  # pid -> start time
        self.rc: int | None = None
        self.stopped = False

    def remember_tree(self) -> None:
        if self.popen.poll() is None:
            for pid in descendants(self.popen.pid):
                self.known_pids.setdefault(pid, start_time(pid))

    def lines(self) -> list[str]:
        return self.stdout_path.read_text(encoding="utf-8", errors="replace").splitlines()

    def records(self) -> list[dict]:
        out = []
        for line in self.lines():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                pass
        return out

    def has_event(self, *events: str) -> bool:
        return any(r.get("event") in events for r in self.records())

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def wait(self, timeout: float) -> int | None:
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, timeout: float = 20.0) -> int | None:
        """SIGTERM (graceful), then SIGKILL the process and everything it started."""
        if self.stopped:
            return self.rc
        self.remember_tree()
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
        rc = self.wait(timeout)
        leftovers = dict(self.known_pids)
        if self.popen.poll() is None:
            leftovers.update({pid: start_time(pid) for pid in descendants(self.popen.pid)})
            leftovers[self.popen.pid] = start_time(self.popen.pid)
        for pid, started in leftovers.items():
            if started is None or start_time(pid) != started:
                continue  # gone (or the PID now belongs to another process)
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if rc is None:
            rc = self.wait(5.0)
        self._out.close()
        self._err.close()
        self.rc, self.stopped = rc, True
        return rc


@dataclass
class Federation:
    workdir: Path
    server_metrics_url: str
    client_metrics_urls: list[str]
    server: Proc
    clients: list[Proc]
    client_rcs: list[int | None] = field(default_factory=list)
    client_expositions: list[str | None] = field(default_factory=list)
    server_exposition: str = ""
    server_final_state: str = ""
    server_rc: int | None = None
    duration: float = 0.0
    linger_exit: bool = False
    probes: dict = field(default_factory=dict)
    # The stand-in MLflow the server logs the federation to, if any.
    mlflow: FakeMlflow | None = None


def start_federation(workdir: Path, *, rounds: int = 3, num_clients: int = 2, min_clients: int = 2,
                     policy: str = "continue", server_env: dict[str, str] | None = None,
                     client_env: dict[int, dict[str, str]] | None = None) -> Federation:
    superlink_port, server_metrics, *rest = free_ports(2 + 2 * num_clients)
    env = base_env()
    env.update({
        "FL_NUM_ROUNDS": str(rounds),
        "FL_MIN_CLIENTS": str(min_clients),
        "FL_STRATEGY": "fedavg",
        "FL_MODEL_NAME": "softmax-regression",
        "FL_ROUND_FAILURE_POLICY": policy,
        "FL_SERVER_HOST": "127.0.0.1",
        "FL_SERVER_PORT": str(superlink_port),
        "FL_METRICS_HOST": "127.0.0.1",
        "FL_METRICS_PORT": str(server_metrics),
        "FL_ROUND_TIMEOUT_SECONDS": "90",
        "FL_ROUND_DURATION_BUCKETS": catalog_buckets("fl_round_duration_seconds"),
        "FL_CLIENT_WAIT_TIMEOUT_SECONDS": "120",
        "FL_SERVER_LINGER_SECONDS": "-1",
    })
    env.update(server_env or {})
    server = Proc("server", "fl_workload.server", env, workdir)
    clients, urls = [], []
    for index in range(num_clients):
        metrics_port, runtime_port = rest[2 * index], rest[2 * index + 1]
        cenv = base_env()
        cenv.update({
            # Index 0 uses the Kubernetes Indexed-Job variable, the others FL_CLIENT_INDEX.
            ("JOB_COMPLETION_INDEX" if index == 0 else "FL_CLIENT_INDEX"): str(index),
            "FL_NUM_CLIENTS": str(num_clients),
            "FL_SERVER_ADDRESS": f"127.0.0.1:{superlink_port}",
            "FL_METRICS_HOST": "127.0.0.1",
            "FL_METRICS_PORT": str(metrics_port),
            "FL_CLIENT_RUNTIME_PORT": str(runtime_port),
            "FL_SERVER_CONNECT_TIMEOUT_SECONDS": "60",
        })
        cenv.update((client_env or {}).get(index, {}))
        clients.append(Proc(f"client-{index}", "fl_workload.client", cenv, workdir))
        urls.append(f"http://127.0.0.1:{metrics_port}/metrics")
    return Federation(workdir, f"http://127.0.0.1:{server_metrics}/metrics", urls, server, clients,
                      client_rcs=[None] * num_clients, client_expositions=[None] * num_clients)


def _step(fed: Federation) -> bool:
    """One polling step: scrape exporters, record exits. True when the federation is over
    (clients exited and the server reported the end of training, or the server exited)."""
    fed.server.remember_tree()
    for i, client in enumerate(fed.clients):
        client.remember_tree()
        if fed.client_rcs[i] is None:
            try:
                status, body = http_get(fed.client_metrics_urls[i], timeout=1.0)
                if status == 200:
                    fed.client_expositions[i] = body
            except OSError:
                pass
            fed.client_rcs[i] = client.popen.poll()
    finished = fed.server.has_event("training_completed", "training_failed")
    if finished and not fed.server_exposition:
        try:
            status, body = http_get(fed.server_metrics_url)
            if status == 200:
                fed.server_exposition = body
        except OSError:
            pass
    if fed.server.popen.poll() is not None:
        return True
    return finished and all(rc is not None for rc in fed.client_rcs)


def _conclude(fed: Federation, started: float) -> None:
    fed.duration = time.monotonic() - started
    if fed.server.popen.poll() is None:
        try:
            status, body = http_get(fed.server_metrics_url)
            if status == 200:
                fed.server_exposition = body
            base = fed.server_metrics_url.rsplit("/", 1)[0]
            fed.probes = {path: http_get(base + path) for path in ("/healthz", "/readyz", "/nope")}
        except OSError:
            pass
    for record in fed.server.records():
        if record.get("event") in ("training_completed", "training_failed"):
            fed.server_final_state = record["event"].removeprefix("training_")


def drive_federations(feds: dict[str, Federation], timeout: float = FEDERATION_TIMEOUT) -> None:
    """Run federations concurrently (bounded); each is torn down as soon as it is over."""
    started = time.monotonic()
    deadline = started + timeout
    pending = dict(feds)
    try:
        while pending and time.monotonic() < deadline:
            for name, fed in list(pending.items()):
                if _step(fed):
                    _conclude(fed, started)
                    if fed.linger_exit:
                        fed.server_rc = fed.server.wait(max(1.0, min(30.0, deadline - time.monotonic())))
                    teardown(fed)
                    del pending[name]
            time.sleep(0.5)
    finally:
        for fed in pending.values():  # timed out
            _conclude(fed, started)
            teardown(fed)


def teardown(fed: Federation) -> None:
    for i, client in enumerate(fed.clients):
        rc = client.stop(timeout=10.0)
        if fed.client_rcs[i] is None:
            fed.client_rcs[i] = rc
    rc = fed.server.stop(timeout=20.0)
    if fed.server_rc is None:
        fed.server_rc = rc


def dump_logs(fed: Federation) -> str:
    parts = []
    for proc in [fed.server, *fed.clients]:
        interesting = [line for line in proc.lines() if '"level":"debug"' not in line]
        parts.append(f"--- {proc.name} stdout (last 60 non-debug lines) ---\n" + "\n".join(interesting[-60:]))
        parts.append(f"--- {proc.name} stderr ---\n{proc.stderr()[-3000:]}")
    return "\n".join(parts)


SCENARIOS = {
    # 3 rounds, 2 clients, no failures; logged to MLflow (a checkpoint every round).
    "ok": {"mlflow": {}},
    # client-1 dies during fit of round 2; policy continue; MLflow goes away after round 1's metrics.
    "crash_continue": {"policy": "continue", "client_env": {1: {"FL_TEST_CRASH_IN_ROUND": "2"}},
                       "mlflow": {"stop_after_log_batches": 2}},
    # client-1 dies during fit of round 1; policy fail; the server exits by itself; its run is FAILED.
    "crash_fail": {"policy": "fail", "server_env": {"FL_SERVER_LINGER_SECONDS": "5"},
                   "client_env": {1: {"FL_TEST_CRASH_IN_ROUND": "1"}}, "linger_exit": True, "mlflow": {}},
}


@pytest.fixture(scope="session")
def federations(tmp_path_factory):
    """All scenarios run at the same time (they are mostly waiting on Flower's polling)."""
    feds = {}
    try:
        for name, kwargs in SCENARIOS.items():
            kwargs = dict(kwargs)
            linger_exit = kwargs.pop("linger_exit", False)
            mlflow_options = kwargs.pop("mlflow", None)
            mlflow = None if mlflow_options is None else FakeMlflow(**mlflow_options).start()
            if mlflow is not None:
                kwargs["server_env"] = {**kwargs.get("server_env", {}), "MLFLOW_TRACKING_URI": mlflow.url,
                                        "MLFLOW_EXPERIMENT_NAME": "fl-tests", "FL_CHECKPOINT_EVERY_ROUNDS": "1"}
            fed = start_federation(tmp_path_factory.mktemp(f"federation-{name}"), **kwargs)
            fed.linger_exit, fed.mlflow = linger_exit, mlflow
            feds[name] = fed
        drive_federations(feds)
    finally:
        for fed in feds.values():
            teardown(fed)  # no-op when already torn down
            if fed.mlflow is not None:
                fed.mlflow.stop()
    yield feds


@pytest.fixture(scope="session")
def happy_federation(federations):
    fed = federations["ok"]
    assert fed.server_final_state == "completed", dump_logs(fed)
    return fed


@pytest.fixture(scope="session")
def crash_continue_federation(federations):
    return federations["crash_continue"]


@pytest.fixture(scope="session")
def crash_fail_federation(federations):
    return federations["crash_fail"]

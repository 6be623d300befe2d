"""A stand-in MLflow tracking server on 127.0.0.1 for the workload's tests.

It answers the REST calls ``fl_workload.tracking`` makes (as MLflow 3.17 answers them: the same
paths, bodies and error codes) and keeps what it was sent, so the tests can read the runs back.
The real ``mlflow server`` runs in the live stack test (test/live); this one makes the workload's
own tests fast and lets them stop the server at an exact point of a federation.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REST = "/api/2.0/mlflow"
ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts/"


@dataclass
class FakeRun:
    run_id: str
    experiment_id: str
    run_name: str
    start_time: int
    tags: dict[str, str]
    status: str = "RUNNING"
    end_time: int | None = None
    params: dict[str, str] = field(default_factory=dict)
    metrics: list[dict] = field(default_factory=list)
    artifacts: dict[str, bytes] = field(default_factory=dict)

    def history(self, key: str) -> list[tuple[int, float]]:
        """(step, value) of one metric, in the order logged."""
        return [(m["step"], m["value"]) for m in self.metrics if m["key"] == key]


class FakeMlflow:
    """Start with :meth:`start`; ``stop_after_log_batches=N`` stops serving right after the Nth runs/log-batch."""

    def __init__(self, *, stop_after_log_batches: int | None = None, fail_log_batch_status: int | None = None):
        self.experiments: dict[str, str] = {"Default": "0"}
        self.runs: dict[str, FakeRun] = {}
        self.requests: list[tuple[str, str]] = []
        self.stop_after_log_batches = stop_after_log_batches
        self.fail_log_batch_status = fail_log_batch_status
        self.log_batches = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, port: int = 0) -> "FakeMlflow":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args) -> None:  # quiet
                pass

            def _reply(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length", "0")))

            def do_GET(self) -> None:  # noqa: N802
                status, body = fake.handle("GET", self.path, b"")
                self._reply(status, body)

            def do_POST(self) -> None:  # noqa: N802
                status, body = fake.handle("POST", self.path, self._body())
                self._reply(status, body)

            def do_PUT(self) -> None:  # noqa: N802
                status, body = fake.handle("PUT", self.path, self._body())
                self._reply(status, body)

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, name="fake-mlflow", daemon=True).start()
        return self

    def stop(self) -> None:
        """Stops serving and closes the socket: later calls are refused."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()

    def only_run(self) -> FakeRun:
        assert len(self.runs) == 1, f"expected one run, have {list(self.runs)}"
        return next(iter(self.runs.values()))

    # -- the API ---------------------------------------------------------------
    def handle(self, method: str, raw_path: str, data: bytes) -> tuple[int, dict]:
        parsed = urllib.parse.urlparse(raw_path)
        path = parsed.path
        with self._lock:
            self.requests.append((method, path))
            if method == "PUT" and path.startswith(ARTIFACTS):
                # <experiment>/<run>/artifacts/<path>
                parts = urllib.parse.unquote(path[len(ARTIFACTS):]).split("/")
                run = self.runs.get(parts[1]) if len(parts) > 3 and parts[2] == "artifacts" else None
                if run is None:
                    return 404, {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": f"no run for {path}"}
                run.artifacts["/".join(parts[3:])] = data
                return 200, {}
            body = json.loads(data or b"{}")
            if method == "GET" and path == f"{REST}/experiments/get-by-name":
                name = urllib.parse.parse_qs(parsed.query).get("experiment_name", [""])[0]
                if name not in self.experiments:
                    return 404, {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": f"Could not find experiment with name '{name}'"}
                return 200, {"experiment": {"experiment_id": self.experiments[name], "name": name}}
            if method == "POST" and path == f"{REST}/experiments/create":
                if body["name"] in self.experiments:
                    return 400, {"error_code": "RESOURCE_ALREADY_EXISTS", "message": "exists"}
                self.experiments[body["name"]] = str(len(self.experiments))
                return 200, {"experiment_id": self.experiments[body["name"]]}
            if method == "POST" and path == f"{REST}/runs/create":
                run_id = uuid.uuid4().hex
                exp = str(body["experiment_id"])
                self.runs[run_id] = FakeRun(run_id, exp, body.get("run_name", ""), int(body.get("start_time", 0)),
                                            {t["key"]: t["value"] for t in body.get("tags", [])})
                info = {"run_id": run_id, "experiment_id": exp, "status": "RUNNING",
                        "artifact_uri": f"mlflow-artifacts:/{exp}/{run_id}/artifacts"}
                return 200, {"run": {"info": info, "data": {}}}
            if method == "POST" and path == f"{REST}/runs/log-batch":
                self.log_batches += 1
                if self.fail_log_batch_status is not None:
                    return self.fail_log_batch_status, {"error_code": "INTERNAL_ERROR", "message": "database is locked"}
                run = self.runs[body["run_id"]]
                run.params.update({p["key"]: p["value"] for p in body.get("params", [])})
                run.metrics.extend(body.get("metrics", []))
                if self.stop_after_log_batches is not None and self.log_batches >= self.stop_after_log_batches:
                    threading.Thread(target=self.stop, daemon=True).start()
                return 200, {}
            if method == "POST" and path == f"{REST}/runs/update":
                run = self.runs[body["run_id"]]
                run.status, run.end_time = body["status"], body.get("end_time")
                return 200, {"run_info": {"run_id": run.run_id, "status": run.status}}
            return 404, {"error_code": "ENDPOINT_NOT_FOUND", "message": f"{method} {path}"}

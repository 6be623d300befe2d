"""Experiment tracking: each federation is one MLflow run, logged over MLflow's REST API.

No MLflow package is needed (the standard library speaks the few calls used):

* ``GET  /api/2.0/mlflow/experiments/get-by-name``, ``POST .../experiments/create``
* ``POST /api/2.0/mlflow/runs/create``, ``.../runs/log-batch``, ``.../runs/update``
* ``PUT  /api/2.0/mlflow-artifacts/artifacts/<experiment>/<run>/artifacts/<path>`` (the server's
  artifact proxy, ``mlflow server --serve-artifacts``: the workload needs no storage credentials)

Tracking never stops training. Every call has a timeout; a call that fails is counted
(``fl_mlflow_failures_total{operation}``) and logged by the caller's ``on_failure`` and the
federation goes on. A run that could not be created is tried again at every round; metrics wait in
a bounded buffer until they are sent, so a tracking server that comes back late still gets the
whole history.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# The operations of the failure counter (the label values of fl_mlflow_failures_total).
CREATE_RUN = "create_run"
LOG_BATCH = "log_batch"
LOG_ARTIFACT = "log_artifact"
UPDATE_RUN = "update_run"
OPERATIONS = (CREATE_RUN, LOG_BATCH, LOG_ARTIFACT, UPDATE_RUN)

# Run states MLflow accepts in runs/update.
FINISHED = "FINISHED"
FAILED = "FAILED"

REST = "/api/2.0/mlflow"
ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts"
ARTIFACT_SCHEME = "mlflow-artifacts"
# MLflow's limits per runs/log-batch request.
MAX_METRICS_PER_BATCH = 1000
MAX_PARAMS_PER_BATCH = 100
MAX_PARAM_LENGTH = 6000
# Metrics kept while the run cannot be written (about 2500 rounds of 4 metrics); the oldest go first.
MAX_PENDING_METRICS = 10_000


class TrackingError(RuntimeError):
    """A call to the tracking server failed; the message names the call and the cause."""


@dataclass(frozen=True)
class TrackingSettings:
    """Where and how a federation is tracked."""

    uri: str  # the tracking server, e.g. http://mlflow.fl-monitoring.svc:5000
    experiment: str
    timeout: float = 5.0  # seconds, every call but uploads
    upload_timeout: float = 60.0  # seconds, one artifact upload


class MlflowRestClient:
    """The few MLflow REST calls a federation needs, with timeouts and plain errors."""

    def __init__(self, settings: TrackingSettings):
        self.base = settings.uri.rstrip("/")
        self.timeout = settings.timeout
        self.upload_timeout = settings.upload_timeout

    def _call(self, method: str, path: str, *, body: Any = None, data: bytes | None = None,
              query: Mapping[str, str] | None = None, timeout: float | None = None) -> dict[str, Any]:
        url = self.base + path + (f"?{urllib.parse.urlencode(query)}" if query else "")
        headers = {"User-Agent": "fl-workload"}
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        elif data is not None:
            headers["Content-Type"] = "application/octet-stream"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.timeout) as response:  # noqa: S310 - configured URL
                text = response.read().decode("utf-8", errors="replace")
        except urllib.error.HTTPError as err:
            detail = err.read().decode("utf-8", errors="replace")
            try:
                parsed = json.loads(detail)
                detail = f"{parsed.get('error_code', '')}: {parsed.get('message', '')}"
            except (json.JSONDecodeError, AttributeError):
                detail = detail.strip()[:200]
            raise TrackingError(f"{method} {path}: HTTP {err.code} {detail}".rstrip(": ")) from None
        except (urllib.error.URLError, OSError, socket.timeout) as err:
            reason = getattr(err, "reason", err)
            raise TrackingError(f"{method} {path}: {reason}") from None
        if not text.strip():
            return {}
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            raise TrackingError(f"{method} {path}: the answer is not JSON: {text[:200]!r}") from None
        return parsed if isinstance(parsed, dict) else {}

    def experiment_id(self, name: str) -> str:
        """The id of the experiment, created when it does not exist."""
        try:
            return str(self._call("GET", f"{REST}/experiments/get-by-name", query={"experiment_name": name})
                       ["experiment"]["experiment_id"])
        except TrackingError as err:
            if "RESOURCE_DOES_NOT_EXIST" not in str(err):
                raise
        try:
            return str(self._call("POST", f"{REST}/experiments/create", body={"name": name})["experiment_id"])
        except TrackingError as err:
            if "RESOURCE_ALREADY_EXISTS" not in str(err):
                raise
        # Another server created it meanwhile.
        return str(self._call("GET", f"{REST}/experiments/get-by-name", query={"experiment_name": name})
                   ["experiment"]["experiment_id"])

    def create_run(self, experiment_id: str, run_name: str, start_time_ms: int,
                   tags: Mapping[str, str]) -> tuple[str, str]:
        """A new run: its id and its artifact URI."""
        info = self._call("POST", f"{REST}/runs/create", body={
            "experiment_id": experiment_id,
            "run_name": run_name,
            "start_time": start_time_ms,
            "tags": [{"key": k, "value": v} for k, v in tags.items()],
        })["run"]["info"]
        return str(info["run_id"]), str(info["artifact_uri"])

    def log_batch(self, run_id: str, *, params: Mapping[str, str] | None = None,
                  metrics: list[dict[str, Any]] | None = None) -> None:
        body: dict[str, Any] = {"run_id": run_id}
        if params:
            body["params"] = [{"key": k, "value": v} for k, v in params.items()]
        if metrics:
            body["metrics"] = metrics
        self._call("POST", f"{REST}/runs/log-batch", body=body)

    def upload_artifact(self, artifact_uri: str, path: str, data: bytes) -> None:
        """Uploads through the server's artifact proxy (the run's URI is `mlflow-artifacts:/<exp>/<run>/artifacts`)."""
        parsed = urllib.parse.urlparse(artifact_uri)
        if parsed.scheme != ARTIFACT_SCHEME:
            raise TrackingError(f"the run's artifact URI {artifact_uri} is not served by the tracking server "
                                f"(start it with --serve-artifacts)")
        where = "/".join(urllib.parse.quote(part) for part in (parsed.path.strip("/") + "/" + path).split("/"))
        self._call("PUT", f"{ARTIFACTS}/{where}", data=data, timeout=self.upload_timeout)

    def update_run(self, run_id: str, status: str, end_time_ms: int) -> None:
        self._call("POST", f"{REST}/runs/update", body={"run_id": run_id, "status": status, "end_time": end_time_ms})


def _now_ms() -> int:
    return int(time.time() * 1000)


class RunTracker:
    """One federation as one MLflow run. Never raises: failures go to ``on_failure(operation, error)``.

    ``on_run(run_id, experiment_id)`` is called once, when the run exists.
    """

    def __init__(self, settings: TrackingSettings | None, *,
                 on_failure: Callable[[str, TrackingError], None],
                 on_run: Callable[[str, str], None],
                 client: MlflowRestClient | None = None,
                 clock_ms: Callable[[], int] = _now_ms):
        self.settings = settings
        self.client = client or (MlflowRestClient(settings) if settings is not None else None)
        self.on_failure = on_failure
        self.on_run = on_run
        self.clock_ms = clock_ms
        self.run_id: str | None = None
        self.experiment_id: str | None = None
        self.artifact_uri: str | None = None
        self._run_name = ""
        self._start_ms = 0
        self._tags: dict[str, str] = {}
        self._params: dict[str, str] = {}
        self._params_sent = False
        self._pending: deque[dict[str, Any]] = deque(maxlen=MAX_PENDING_METRICS)
        self._finished = False

    @property
    def enabled(self) -> bool:
        return self.client is not None

    def start(self, run_name: str, params: Mapping[str, object], tags: Mapping[str, str]) -> bool:
        """Remembers what the run is and tries to create it now. True when the run exists."""
        self._run_name = run_name
        self._start_ms = self.clock_ms()
        self._tags = dict(tags)
        self._params = {k: str(v)[:MAX_PARAM_LENGTH] for k, v in params.items()}
        return self._ensure_run() and self._flush()

    def log_round(self, step: int, metrics: Mapping[str, float | None]) -> None:
        """One round's metrics (step = round); those that are None are left out."""
        if not self.enabled:
            return
        now = self.clock_ms()
        for key, value in metrics.items():
            if value is not None:
                self._pending.append({"key": key, "value": float(value), "timestamp": now, "step": step})
        if self._ensure_run():
            self._flush()

    def log_artifact(self, path: str, data: bytes) -> bool:
        """Uploads one artifact of the run. False when the upload failed or there is no run yet (its
        creation is tried, and counted, by the round's metrics and at the end, not once more here)."""
        if self.client is None or self.run_id is None:
            return False
        try:
            self.client.upload_artifact(self.artifact_uri or "", path, data)  # type: ignore[union-attr]
            return True
        except TrackingError as err:
            self.on_failure(LOG_ARTIFACT, err)
            return False

    def finish(self, status: str, artifacts: Mapping[str, bytes] | None = None) -> bool:
        """Sends what is pending and the last artifacts, then ends the run with `status`. True when MLflow has it all."""
        if not self.enabled or self._finished or not self._ensure_run():
            return False
        sent = self._flush()
        for path, data in (artifacts or {}).items():
            sent = self.log_artifact(path, data) and sent
        try:
            self.client.update_run(self.run_id or "", status, self.clock_ms())  # type: ignore[union-attr]
        except TrackingError as err:
            self.on_failure(UPDATE_RUN, err)
            return False
        self._finished = True
        return sent

    # -- internals ---------------------------------------------------------------
    def _ensure_run(self) -> bool:
        if self.run_id is not None:
            return True
        if self.client is None or self.settings is None:
            return False
        try:
            experiment_id = self.client.experiment_id(self.settings.experiment)
            run_id, artifact_uri = self.client.create_run(experiment_id, self._run_name, self._start_ms, self._tags)
        except TrackingError as err:
            self.on_failure(CREATE_RUN, err)
            return False
        self.run_id, self.experiment_id, self.artifact_uri = run_id, experiment_id, artifact_uri
        self.on_run(run_id, experiment_id)
        return True

    def _flush(self) -> bool:
        """Sends the parameters (once) and the pending metrics. True when nothing is left pending."""
        assert self.client is not None and self.run_id is not None
        try:
            if not self._params_sent:
                items = list(self._params.items())
                for i in range(0, len(items), MAX_PARAMS_PER_BATCH):
                    self.client.log_batch(self.run_id, params=dict(items[i:i + MAX_PARAMS_PER_BATCH]))
                self._params_sent = True
            while self._pending:
                batch = [self._pending[i] for i in range(min(MAX_METRICS_PER_BATCH, len(self._pending)))]
                self.client.log_batch(self.run_id, metrics=batch)
                for _ in batch:
                    self._pending.popleft()
        except TrackingError as err:
            self.on_failure(LOG_BATCH, err)
            return False
        return True

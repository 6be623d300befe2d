"""Prometheus metrics of the FL workload (must match contracts/metric-catalog.json).

Each exporter uses its own ``CollectorRegistry`` (no process/platform/GC
collectors) and ``_created`` series are disabled, so only catalogued series are
exported.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field, replace

import prometheus_client
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from .tracking import OPERATIONS as TRACKING_OPERATIONS

prometheus_client.disable_created_metrics()

# The round-duration buckets follow the stack config (fl.roundTimeout): the FL server Deployment
# passes them in FL_ROUND_DURATION_BUCKETS, as contracts/metric-catalog.json lists them.
ROUND_DURATION = "fl_round_duration_seconds"
TRAINING_FINISHED = "fl_training_finished"
MLFLOW_FAILURES = "fl_mlflow_failures_total"
FIT_DURATION_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


@dataclass(frozen=True)
class MetricSpec:
    name: str  # catalog name (counters end in _total)
    type: str  # counter | gauge | histogram
    help: str
    labels: tuple[str, ...] = ()
    buckets: tuple[float, ...] | None = None  # histograms: None means configured (see server_metrics)
    unit: str = ""
    initial: float | None = None  # initial gauge value (None: leave at 0)
    label_values: tuple[dict[str, str], ...] = field(default_factory=tuple)


NAN = math.nan

SERVER_METRICS: tuple[MetricSpec, ...] = (
    MetricSpec("fl_rounds_completed_total", "counter",
               "Federated rounds that completed with at least FL_MIN_CLIENTS successful clients."),
    MetricSpec("fl_rounds_failed_total", "counter",
               "Federated rounds that failed (fewer than FL_MIN_CLIENTS successful clients in fit or evaluate)."),
    MetricSpec("fl_train_loss", "gauge",
               "Aggregated (sample-weighted) client training loss of the last round.", initial=NAN),
    MetricSpec("fl_eval_loss", "gauge",
               "Aggregated (sample-weighted) client evaluation loss of the last round.", initial=NAN),
    MetricSpec("fl_accuracy", "gauge",
               "Aggregated (sample-weighted) client evaluation accuracy of the last round (0..1).",
               unit="ratio", initial=NAN),
    MetricSpec("fl_best_accuracy", "gauge", "Best aggregated evaluation accuracy so far (0..1).",
               unit="ratio", initial=NAN),
    MetricSpec("fl_active_clients", "gauge",
               "Clients that returned successful training results in the current/last round."),
    MetricSpec("fl_total_clients", "gauge", "Clients (SuperNodes) connected to the server."),
    MetricSpec("fl_model_parameters", "gauge", "Number of scalar parameters of the global model."),
    MetricSpec("fl_samples_per_round", "gauge",
               "Training samples contributed by clients in the current/last round."),
    MetricSpec("fl_current_round", "gauge", "Current (or last) federated round number; 0 before the first."),
    MetricSpec(ROUND_DURATION, "histogram",
               "Wall-clock duration of a federated round (fit + evaluate).", unit="seconds"),
    MetricSpec("fl_client_failures_total", "counter",
               "Client failures (error reply or no reply before the round timeout), by phase.",
               labels=("phase",), label_values=({"phase": "fit"}, {"phase": "evaluate"})),
    MetricSpec("fl_training_info", "gauge",
               "Training configuration and the MLflow run the federation is logged to (empty while it has none); "
               "value is always 1.",
               labels=("strategy", "model", "mlflow_run_id")),
    MetricSpec(MLFLOW_FAILURES, "counter",
               "Calls to the MLflow tracking server that failed, by operation; the federation goes on.",
               labels=("operation",), label_values=tuple({"operation": op} for op in TRACKING_OPERATIONS)),
    MetricSpec(TRAINING_FINISHED, "gauge",
               "1 once the run has completed successfully, 0 while it is starting, running or after it failed."),
)

CLIENT_METRICS: tuple[MetricSpec, ...] = (
    MetricSpec("fl_client_rounds_total", "counter", "Training (fit) rounds completed by this client."),
    MetricSpec("fl_client_train_loss", "gauge", "Local training loss of this client's last fit.",
               initial=NAN),
    MetricSpec("fl_client_accuracy", "gauge",
               "Accuracy of the global model on this client's local test split (0..1).",
               unit="ratio", initial=NAN),
    MetricSpec("fl_client_samples_total", "counter", "Training samples processed by this client."),
    MetricSpec("fl_client_fit_duration_seconds", "histogram", "Duration of one local fit.",
               buckets=FIT_DURATION_BUCKETS, unit="seconds"),
)

EXPORTERS = {"fl-server": SERVER_METRICS, "fl-client": CLIENT_METRICS}


def server_metrics(round_duration_buckets: tuple[float, ...]) -> tuple[MetricSpec, ...]:
    """The server's metrics with the round-duration buckets of the stack config."""
    return tuple(replace(spec, buckets=round_duration_buckets) if spec.name == ROUND_DURATION else spec
                 for spec in SERVER_METRICS)


class MetricSet:
    """A registry holding the metrics of one exporter, updated by name."""

    def __init__(self, specs: tuple[MetricSpec, ...]):
        self.registry = CollectorRegistry(auto_describe=True)
        self.specs = {spec.name: spec for spec in specs}
        self._metrics: dict[str, object] = {}
        self._lock = threading.Lock()
        for spec in specs:
            base = spec.name[: -len("_total")] if spec.type == "counter" else spec.name
            if spec.type == "counter":
                metric = Counter(base, spec.help, spec.labels, registry=self.registry)
            elif spec.type == "gauge":
                metric = Gauge(base, spec.help, spec.labels, registry=self.registry)
            elif spec.type == "histogram":
                if spec.buckets is None:
                    raise ValueError(f"{spec.name}: histogram buckets not configured")
                metric = Histogram(base, spec.help, spec.labels, registry=self.registry, buckets=spec.buckets)
            else:  # pragma: no cover - guarded by the tables above
                raise ValueError(spec.type)
            if spec.initial is not None and not spec.labels:
                metric.set(spec.initial)  # type: ignore[attr-defined]
            for values in spec.label_values:
                metric.labels(**values)  # type: ignore[attr-defined]
            self._metrics[spec.name] = metric

    def _child(self, name: str, labels: dict[str, str] | None):
        metric = self._metrics[name]
        spec = self.specs[name]
        if spec.labels:
            return metric.labels(**{k: str((labels or {}).get(k, "")) for k in spec.labels})  # type: ignore[attr-defined]
        return metric

    def apply(self, op: str, name: str, value: float = 1.0, labels: dict[str, str] | None = None) -> None:
        self.apply_batch([(op, name, value, labels)])

    def apply_batch(self, ops: list[tuple[str, str, float, dict[str, str] | None]]) -> None:
        """Apply several updates atomically with respect to scrapes."""
        for _, name, _, _ in ops:
            if name not in self._metrics:
                raise KeyError(f"unknown metric {name!r}")
        with self._lock:
            for op, name, value, labels in ops:
                self._apply_locked(op, name, value, labels)

    def _apply_locked(self, op: str, name: str, value: float, labels: dict[str, str] | None) -> None:
        if op == "replace":
            # An info gauge whose labels changed (fl_training_info once the MLflow run exists): one series, not two.
            self._metrics[name].clear()  # type: ignore[attr-defined]
            op = "set"
        child = self._child(name, labels)
        if op == "set":
            child.set(value)
        elif op == "inc":
            child.inc(value)
        elif op == "observe":
            child.observe(value)
        else:
            raise ValueError(f"unknown metric operation {op!r}")

    def set(self, name: str, value: float, **labels: str) -> None:
        self.apply("set", name, value, labels)

    def inc(self, name: str, value: float = 1.0, **labels: str) -> None:
        self.apply("inc", name, value, labels)

    def observe(self, name: str, value: float, **labels: str) -> None:
        self.apply("observe", name, value, labels)

    def exposition(self) -> bytes:
        with self._lock:
            return prometheus_client.generate_latest(self.registry)


def catalog_entries(exporter: str) -> list[dict]:
    """The catalog entries (contracts/metric-catalog.json format) for one exporter."""
    entries = []
    for spec in EXPORTERS[exporter]:
        entry = {"name": spec.name, "type": spec.type, "help": spec.help, "labels": list(spec.labels),
                 "unit": spec.unit, "exporter": exporter}
        if spec.buckets is not None:
            entry["buckets"] = list(spec.buckets)
        entries.append(entry)
    return entries

"""Flower ``ServerApp``: federated rounds with a Flower message-API strategy.

Runs inside the ``flwr-serverapp`` process that the SuperLink spawns for a run.
Settings arrive through Flower's run config (see ``[tool.flwr.app.config]`` in
pyproject.toml; the ``fl-server`` wrapper fills it from ``FL_*`` variables).
Metrics and logs are reported to the wrapper through ``fl_workload.events``.

Round semantics
---------------
* A client *fails* in a phase (``fit`` / ``evaluate``) when it sends an error
  reply or sends no reply before ``round-timeout``. Clients that sent no reply
  are considered gone and are not sampled again in this run.
* A round *completes* when at least ``min-clients`` clients return successful
  results in both fit and evaluate; otherwise it *fails*. Under
  ``failure-policy = "continue"`` the server aggregates whatever succeeded and
  goes on; under ``"fail"`` the run is aborted at the first failed round.

Experiment tracking (``mlflow-tracking-uri`` set): the federation is one MLflow run
(``fl_workload.tracking``) with the server's settings as parameters, ``train_loss``,
``eval_loss``, ``accuracy`` and ``num_clients`` per round (step = round, the values
exported to Prometheus), the final model (and every ``checkpoint-every`` rounds one)
and the run config as artifacts, and FINISHED or FAILED at the end. A tracking failure
is counted (``fl_mlflow_failures_total``) and logged; training goes on.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from flwr.app import ArrayRecord, ConfigRecord, Context, Message, RecordDict
from flwr.serverapp import Grid, ServerApp
from flwr.serverapp.strategy import FedAdam, FedAvg, FedProx

from .events import EventWriter
from .metrics import MLFLOW_FAILURES
from .model import MODEL_NAME, init_parameters, num_parameters
from .tracking import FAILED, FINISHED, RunTracker, TrackingError, TrackingSettings

SHUTDOWN_MESSAGE_TYPE = "query.shutdown"
NODE_UNAVAILABLE = 5  # flwr.common.constant.ErrorCode.NODE_UNAVAILABLE (reply made by the SuperLink)
REPLY_POLL_INTERVAL = 0.2

app = ServerApp()


class RunFailed(RuntimeError):
    """The run was aborted (failure policy ``fail`` or no clients)."""


class _FilteredGrid:
    """Grid proxy hiding nodes that stopped responding (for strategy sampling)."""

    def __init__(self, grid: Grid, excluded: set[int]):
        self._grid = grid
        self._excluded = excluded

    def get_node_ids(self) -> Iterable[int]:
        return [n for n in self._grid.get_node_ids() if n not in self._excluded]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._grid, name)


def build_strategy(name: str, proximal_mu: float):
    common = {
        "fraction_train": 1.0,
        "fraction_evaluate": 1.0,
        # Quorum is enforced by this ServerApp (min-clients); sampling takes all live nodes.
        "min_train_nodes": 1,
        "min_evaluate_nodes": 1,
        "min_available_nodes": 1,
    }
    if name == "fedavg":
        return FedAvg(**common)
    if name == "fedprox":
        return FedProx(**common, proximal_mu=proximal_mu)
    if name == "fedadam":
        return FedAdam(**common, eta=0.05, eta_l=0.5)
    raise ValueError(f"unknown strategy {name!r}")


class _Reporter:
    def __init__(self, events: EventWriter):
        self.events = events

    def metric(self, op: str, name: str, value: float = 1.0, **labels: str) -> None:
        self.events.metric(op, name, value, **labels)

    def log(self, level: str, message: str, *, round: int | None = None,  # pylint: disable=redefined-builtin
            client_id: str | None = None, event: str | None = None, **extra: Any) -> None:
        self.events.log(level, message, component="serverapp", round=round, client_id=client_id,
                        event=event, **extra)


def checkpoint_bytes(arrays: ArrayRecord) -> bytes:
    """The global model as an uncompressed ``.npz`` (``arr_0``: weights, ``arr_1``: bias)."""
    buffer = io.BytesIO()
    np.savez(buffer, *arrays.to_numpy_ndarrays())
    return buffer.getvalue()


class FederatedRun:  # pylint: disable=too-many-instance-attributes
    def __init__(self, grid: Grid, run_config: dict[str, Any], events: EventWriter | None = None,
                 flower_run_id: int | None = None):
        self.grid = grid
        self.num_rounds = int(run_config["num-rounds"])
        self.min_clients = int(run_config["min-clients"])
        self.strategy_name = str(run_config["strategy"])
        self.model_name = str(run_config.get("model-name", MODEL_NAME))
        self.failure_policy = str(run_config["failure-policy"])
        self.round_timeout = float(run_config["round-timeout"])
        self.client_wait_timeout = float(run_config["client-wait-timeout"])
        self.train_config = {
            "local-epochs": int(run_config["local-epochs"]),
            "learning-rate": float(run_config["learning-rate"]),
            "num-rounds": self.num_rounds,
        }
        self.strategy = build_strategy(self.strategy_name, float(run_config["proximal-mu"]))
        self.report = _Reporter(events or EventWriter())
        self.gone: set[int] = set()
        self.node_names: dict[int, str] = {}
        self.best_accuracy: float | None = None
        self.arrays = ArrayRecord(numpy_ndarrays=init_parameters())
        # Experiment tracking.
        self.run_config = dict(run_config)
        self.flower_run_id = flower_run_id
        self.num_clients = int(run_config.get("num-clients", self.min_clients))
        self.checkpoint_every = int(run_config.get("checkpoint-every", 0))
        uri = str(run_config.get("mlflow-tracking-uri", ""))
        settings = TrackingSettings(uri, str(run_config.get("mlflow-experiment-name", "fl-training"))) if uri else None
        self.tracker = RunTracker(settings, on_failure=self._tracking_failed, on_run=self._tracking_started)
        self.checkpoint_dir = Path(os.environ.get("FLWR_HOME") or tempfile.gettempdir()) / "checkpoints"

    # ------------------------------------------------------------------ helpers
    def _client_name(self, node_id: int) -> str:
        return self.node_names.get(node_id, f"node-{node_id}")

    def _live_nodes(self) -> list[int]:
        nodes = [n for n in self.grid.get_node_ids() if n not in self.gone]
        self.report.metric("set", "fl_total_clients", len(nodes))
        return nodes

    def _wait_for_nodes(self, count: int, round_: int | None) -> list[int]:
        deadline = time.monotonic() + self.client_wait_timeout
        last_seen = -1
        while True:
            nodes = self._live_nodes()
            if len(nodes) >= count:
                return nodes
            if len(nodes) != last_seen:
                self.report.log("info", f"waiting for clients: {len(nodes)} connected, {count} required",
                                round=round_, event="waiting_for_clients")
                last_seen = len(nodes)
            if time.monotonic() >= deadline:
                raise RunFailed(f"only {len(nodes)} of {count} required clients connected "
                                f"within {self.client_wait_timeout:g}s")
            time.sleep(0.5)

    def _send_and_receive(self, messages: list[Message], timeout: float) -> tuple[dict[str, int], list[Message]]:
        """Like ``Grid.send_and_receive`` but polls every 0.2s (not 3s) and also
        returns the destination node of every pushed message id."""
        ids = list(self.grid.push_messages(messages))
        dst_by_id = {mid: m.metadata.dst_node_id for m, mid in zip(messages, ids) if mid}
        pending = set(dst_by_id)
        deadline = time.monotonic() + timeout
        replies: list[Message] = []
        while pending:
            batch = list(self.grid.pull_messages(pending))
            replies.extend(batch)
            pending.difference_update(m.metadata.reply_to_message_id for m in batch)
            if not pending or time.monotonic() >= deadline:
                break
            time.sleep(REPLY_POLL_INTERVAL)
        return dst_by_id, replies

    def _client_failed(self, round_: int, phase: str, node: int, reason: str, gone: bool) -> None:
        if gone:
            self.gone.add(node)
        self.report.metric("inc", "fl_client_failures_total", 1, phase=phase)
        self.report.log("warning", f"client failed in {phase}: {reason}", round=round_,
                        client_id=self._client_name(node), event="client_failure", phase=phase,
                        node_id=str(node))

    def _exchange(self, round_: int, phase: str, messages: list[Message]) -> list[Message]:
        """Send messages, wait for replies; count and log failures. Returns good replies."""
        if not messages:
            return []
        sent = [m.metadata.dst_node_id for m in messages]
        dst_by_id, replies = self._send_and_receive(messages, self.round_timeout)
        good: list[Message] = []
        answered: set[int] = set()
        for reply in replies:
            node = dst_by_id.get(reply.metadata.reply_to_message_id, reply.metadata.src_node_id)
            answered.add(node)
            if reply.has_error():
                unavailable = reply.error.code == NODE_UNAVAILABLE
                self._client_failed(round_, phase, node, f"error reply: {reply.error.reason}", unavailable)
                continue
            if "client" in reply.content.config_records:
                name = reply.content["client"].get("client-id")
                if isinstance(name, str) and name:
                    self.node_names[node] = name
            good.append(reply)
        pushed = set(dst_by_id.values())
        for node in sent:
            if node not in pushed:
                self._client_failed(round_, phase, node, "message could not be pushed", False)
            elif node not in answered:
                self._client_failed(round_, phase, node,
                                    f"no reply within {self.round_timeout:g}s (treated as gone for this run)",
                                    True)
        return good

    def _shutdown_clients(self, status: str) -> None:
        """Tell connected clients that training is over so they can exit."""
        try:
            nodes = [n for n in self.grid.get_node_ids() if n not in self.gone]
            messages = [Message(RecordDict({"status": ConfigRecord({"status": status})}),
                                dst_node_id=n, message_type=SHUTDOWN_MESSAGE_TYPE) for n in nodes]
            if messages:
                _, replies = self._send_and_receive(messages, min(30.0, self.round_timeout))
                self.report.log("info", f"sent shutdown to {len(messages)} clients, {len(replies)} acknowledged",
                                event="clients_shutdown")
        except Exception as err:  # pylint: disable=broad-except
            self.report.log("warning", f"could not notify clients of shutdown: {err}")

    # ---------------------------------------------------------------- tracking
    def _tracking_failed(self, operation: str, err: TrackingError) -> None:
        self.report.metric("inc", MLFLOW_FAILURES, 1, operation=operation)
        self.report.log("warning", f"MLflow {operation} failed, the federation goes on: {err}",
                        event="mlflow_failure", operation=operation)

    def _training_info(self, run_id: str) -> None:
        self.report.metric("replace", "fl_training_info", 1, strategy=self.strategy_name, model=self.model_name,
                           mlflow_run_id=run_id)

    def _tracking_started(self, run_id: str, experiment_id: str) -> None:
        self._training_info(run_id)
        self.report.events.control("mlflow_run", run_id=run_id, experiment_id=experiment_id)
        self.report.log("info", f"federation logged to MLflow run {run_id} (experiment {experiment_id})",
                        event="mlflow_run_created", mlflow_run_id=run_id, experiment_id=experiment_id)

    def _start_tracking(self) -> None:
        params = {
            "num_rounds": self.num_rounds,
            "num_clients": self.num_clients,
            "min_clients": self.min_clients,
            "strategy": self.strategy_name,
            "model_name": self.model_name,
            "learning_rate": self.train_config["learning-rate"],
            "local_epochs": self.train_config["local-epochs"],
            # Each client trains on its whole local split per epoch (full-batch gradient descent).
            "batch_size": "full",
            "proximal_mu": self.run_config.get("proximal-mu", 0.0),
            "failure_policy": self.failure_policy,
            "round_timeout_seconds": self.round_timeout,
            "client_wait_timeout_seconds": self.client_wait_timeout,
            "model_parameters": num_parameters(self.arrays.to_numpy_ndarrays()),
            "checkpoint_every_rounds": self.checkpoint_every,
        }
        flower_run = "" if self.flower_run_id is None else str(self.flower_run_id)
        tags = {"fl.flower_run_id": flower_run, "fl.service": "fl-server"}
        self.tracker.start(f"{self.model_name}-{self.strategy_name}-{flower_run or 'local'}", params, tags)
        if self.tracker.run_id is None:
            self._training_info("")  # no run (yet): retried every round

    def _write_checkpoint(self, name: str, round_: int | None) -> bytes:
        """Writes the global model where the server keeps it (``$FLWR_HOME/checkpoints/<name>``); logs its sha256."""
        data = checkpoint_bytes(self.arrays)
        path = self.checkpoint_dir / name
        try:
            self.checkpoint_dir.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        except OSError as err:
            self.report.log("warning", f"could not write checkpoint {path}: {err}", round=round_, event="checkpoint_failed")
        else:
            self.report.log("info", f"checkpoint {name} written ({len(data)} bytes)", round=round_, event="checkpoint_saved",
                            path=str(path), sha256=hashlib.sha256(data).hexdigest(), bytes=len(data))
        return data

    def _end_tracking(self, status: str) -> None:
        """The final model and the run config as artifacts, then the run's status (before the run's own status is reported)."""
        if not self.tracker.enabled:
            return
        config = json.dumps({"run_config": self.run_config, "flower_run_id": self.flower_run_id}, indent=2, sort_keys=True, default=str)
        artifacts = {"checkpoints/final.npz": self._write_checkpoint("final.npz", None), "config/run-config.json": config.encode()}
        if self.tracker.finish(status, artifacts):
            self.report.log("info", f"MLflow run {self.tracker.run_id} ended {status}", event="mlflow_run_ended", status=status)

    # --------------------------------------------------------------------- run
    def run(self) -> None:
        report = self.report
        report.metric("set", "fl_model_parameters", num_parameters(self.arrays.to_numpy_ndarrays()))
        report.metric("set", "fl_current_round", 0)
        report.log("info", f"run started: {self.num_rounds} rounds, strategy={self.strategy_name}, "
                   f"model={self.model_name}, min_clients={self.min_clients}, "
                   f"failure_policy={self.failure_policy}", event="run_started")
        self._start_tracking()
        try:
            self._wait_for_nodes(self.min_clients, None)
            for round_ in range(1, self.num_rounds + 1):
                self.arrays = self._round(round_, self.arrays)
        except RunFailed as err:
            report.log("error", f"run failed: {err}", event="run_failed")
            self._end_tracking(FAILED)
            report.events.control("status", state="failed", reason=str(err))
            self._shutdown_clients("failed")
            report.events.control("done")
            raise
        except Exception:
            self._end_tracking(FAILED)
            raise
        report.log("info", "run completed", event="run_completed",
                   best_accuracy=self.best_accuracy)
        self._end_tracking(FINISHED)
        report.events.control("status", state="completed")
        self._shutdown_clients("completed")
        report.events.control("done")

    def _round(self, round_: int, arrays: ArrayRecord) -> ArrayRecord:
        report = self.report
        started = time.monotonic()
        report.metric("set", "fl_current_round", round_)
        report.log("info", f"round {round_}/{self.num_rounds} started", round=round_, event="round_started")
        self._wait_for_nodes(1, round_)
        grid = _FilteredGrid(self.grid, self.gone)

        # --- fit -------------------------------------------------------------
        fit_messages = list(self.strategy.configure_train(
            round_, arrays, ConfigRecord(dict(self.train_config)), grid))
        fit_ok = self._exchange(round_, "fit", fit_messages)
        aggregated = None
        train_loss: float | None = None
        if fit_ok:
            try:
                aggregated, train_metrics = self.strategy.aggregate_train(round_, fit_ok)
            except Exception as err:  # pylint: disable=broad-except
                report.log("error", f"aggregation failed: {err}", round=round_, event="aggregation_failed")
                train_metrics = None
            if aggregated is not None:
                arrays = aggregated
            samples = sum(int(r.content["metrics"]["num-examples"]) for r in fit_ok)
            report.metric("set", "fl_samples_per_round", samples)
            if train_metrics is not None and "train_loss" in train_metrics:
                train_loss = float(train_metrics["train_loss"])
                report.metric("set", "fl_train_loss", train_loss)
        else:
            report.metric("set", "fl_samples_per_round", 0)
        report.metric("set", "fl_active_clients", len(fit_ok))

        # --- evaluate --------------------------------------------------------
        eval_ok: list[Message] = []
        if self._live_nodes():
            eval_messages = list(self.strategy.configure_evaluate(round_, arrays, ConfigRecord(), grid))
            eval_ok = self._exchange(round_, "evaluate", eval_messages)
        accuracy = None
        eval_loss: float | None = None
        if eval_ok:
            try:
                eval_metrics = self.strategy.aggregate_evaluate(round_, eval_ok)
            except Exception as err:  # pylint: disable=broad-except
                report.log("error", f"evaluation aggregation failed: {err}", round=round_)
                eval_metrics = None
            if eval_metrics is not None:
                if "eval_loss" in eval_metrics:
                    eval_loss = float(eval_metrics["eval_loss"])
                    report.metric("set", "fl_eval_loss", eval_loss)
                if "accuracy" in eval_metrics:
                    accuracy = float(eval_metrics["accuracy"])
                    report.metric("set", "fl_accuracy", accuracy)
                    if self.best_accuracy is None or accuracy > self.best_accuracy:
                        self.best_accuracy = accuracy
                        report.metric("set", "fl_best_accuracy", accuracy)
        self._live_nodes()

        # --- outcome ---------------------------------------------------------
        duration = time.monotonic() - started
        ok = (aggregated is not None and len(fit_ok) >= self.min_clients
              and len(eval_ok) >= self.min_clients)
        summary = (f"fit {len(fit_ok)}/{len(fit_messages)} ok, evaluate {len(eval_ok)} ok, "
                   f"min_clients={self.min_clients}, accuracy={accuracy}, duration={duration:.2f}s")
        report.events.metrics(("observe", "fl_round_duration_seconds", duration),
                              ("inc", "fl_rounds_completed_total" if ok else "fl_rounds_failed_total", 1))
        # The round in MLflow: the values just exported (step = round), and a checkpoint every N rounds.
        self.arrays = arrays
        # The round's outcome is logged first: tracking calls to an unreachable MLflow take their timeouts.
        if ok:
            report.log("info", f"round {round_} completed: {summary}", round=round_,
                       event="round_completed", accuracy=accuracy, duration_seconds=round(duration, 3))
        else:
            report.log("error", f"round {round_} failed: {summary}", round=round_, event="round_failed",
                       duration_seconds=round(duration, 3))
        self.tracker.log_round(round_, {"train_loss": train_loss, "eval_loss": eval_loss, "accuracy": accuracy,
                                        "num_clients": float(len(fit_ok))})
        if self.tracker.enabled and self.checkpoint_every > 0 and round_ % self.checkpoint_every == 0:
            name = f"round-{round_:05d}.npz"
            self.tracker.log_artifact(f"checkpoints/{name}", self._write_checkpoint(name, round_))
        if not ok and self.failure_policy == "fail":
            raise RunFailed(f"round {round_} failed and FL_ROUND_FAILURE_POLICY=fail")
        return arrays


@app.main()
def main(grid: Grid, context: Context) -> None:
    events = EventWriter()
    try:
        FederatedRun(grid, dict(context.run_config), events, flower_run_id=context.run_id).run()
    except RunFailed:
        raise
    except Exception as err:
        events.log("error", f"ServerApp error: {err!r}", component="serverapp", event="run_failed")
        events.control("status", state="failed", reason=f"ServerApp error: {err!r}")
        events.control("done")
        raise

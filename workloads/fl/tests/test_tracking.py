"""Experiment tracking over MLflow's REST API (fl_workload.tracking), against a stand-in server:
what a run holds, and that an unreachable or failing server is counted, logged and survived."""

from __future__ import annotations

import io
import json

import pytest
from conftest import free_ports
from fake_mlflow import FakeMlflow
from promparse import samples, value

from fl_workload.config import ConfigError, load_server_config
from fl_workload.jsonlog import JsonLogger
from fl_workload.metrics import MLFLOW_FAILURES, MetricSet, server_metrics
from fl_workload.tracking import (CREATE_RUN, FINISHED, LOG_ARTIFACT, LOG_BATCH, OPERATIONS, UPDATE_RUN,
                                  MlflowRestClient, RunTracker, TrackingError, TrackingSettings)

BUCKETS_OK = {"FL_ROUND_DURATION_BUCKETS": "0.5,60,240"}


class Recorder:
    """The tracker's callbacks, recorded."""

    def __init__(self):
        self.failures: list[tuple[str, str]] = []
        self.runs: list[tuple[str, str]] = []

    def failed(self, operation: str, err: TrackingError) -> None:
        self.failures.append((operation, str(err)))

    def started(self, run_id: str, experiment_id: str) -> None:
        self.runs.append((run_id, experiment_id))


def tracker_for(url: str, recorder: Recorder, *, clock=None) -> RunTracker:
    settings = TrackingSettings(url, "fl-test", timeout=2.0, upload_timeout=2.0)
    extra = {} if clock is None else {"clock_ms": clock}
    return RunTracker(settings, on_failure=recorder.failed, on_run=recorder.started, **extra)


@pytest.fixture
def mlflow():
    server = FakeMlflow().start()
    yield server
    server.stop()


def test_a_federation_is_one_run_with_params_metrics_artifacts_and_status(mlflow):
    rec = Recorder()
    tracker = tracker_for(mlflow.url, rec, clock=lambda: 1_700_000_000_000)
    assert tracker.start("softmax-regression-fedavg-7", {"num_rounds": 3, "learning_rate": 0.2}, {"fl.flower_run_id": "7"})
    tracker.log_round(1, {"train_loss": 0.5, "eval_loss": 0.6, "accuracy": 0.7, "num_clients": 2.0})
    tracker.log_round(2, {"train_loss": 0.4, "eval_loss": None, "accuracy": 0.8, "num_clients": 2.0})
    assert tracker.log_artifact("checkpoints/round-00002.npz", b"round 2")
    assert tracker.finish(FINISHED, {"checkpoints/final.npz": b"\x00model bytes"})
    run = mlflow.only_run()
    assert rec.failures == [] and rec.runs == [(run.run_id, mlflow.experiments["fl-test"])]
    assert (run.run_name, run.start_time, run.tags) == ("softmax-regression-fedavg-7", 1_700_000_000_000, {"fl.flower_run_id": "7"})
    assert run.params == {"num_rounds": "3", "learning_rate": "0.2"}
    assert run.history("train_loss") == [(1, 0.5), (2, 0.4)]
    assert run.history("eval_loss") == [(1, 0.6)]  # a value the round did not produce is not logged
    assert run.artifacts == {"checkpoints/round-00002.npz": b"round 2", "checkpoints/final.npz": b"\x00model bytes"}
    assert (run.status, run.end_time) == ("FINISHED", 1_700_000_000_000)
    # The experiment is looked up (created the first time), never duplicated.
    second = tracker_for(mlflow.url, Recorder())
    second.start("again", {}, {})
    assert list(mlflow.experiments) == ["Default", "fl-test"] and len(mlflow.runs) == 2


def test_unreachable_at_start_the_run_is_created_later_with_the_whole_history():
    port = free_ports(1)[0]
    rec = Recorder()
    tracker = tracker_for(f"http://127.0.0.1:{port}", rec)
    assert not tracker.start("run", {"num_rounds": 2}, {})
    tracker.log_round(1, {"train_loss": 0.9})
    assert tracker.run_id is None and [op for op, _ in rec.failures] == [CREATE_RUN, CREATE_RUN]
    assert "Connection refused" in rec.failures[0][1] and "/experiments/get-by-name" in rec.failures[0][1]
    assert not tracker.log_artifact("checkpoints/round-00001.npz", b"x")  # no run: skipped, not counted twice
    server = FakeMlflow().start(port)
    try:
        tracker.log_round(2, {"train_loss": 0.8})
        run = server.only_run()
        assert run.params == {"num_rounds": "2"}
        assert run.history("train_loss") == [(1, 0.9), (2, 0.8)]
        assert rec.runs == [(run.run_id, "1")] and len(rec.failures) == 2
    finally:
        server.stop()


def test_server_gone_mid_run_metrics_wait_and_failures_are_counted_per_call():
    server = FakeMlflow(stop_after_log_batches=2).start()  # params, then round 1
    rec = Recorder()
    tracker = tracker_for(server.url, rec)
    tracker.start("run", {"a": 1}, {})
    tracker.log_round(1, {"accuracy": 0.5})
    run = server.only_run()
    tracker.log_round(2, {"accuracy": 0.6})
    tracker.log_round(3, {"accuracy": 0.7})
    assert not tracker.log_artifact("checkpoints/round-00003.npz", b"m")
    assert not tracker.finish("FAILED", {"checkpoints/final.npz": b"m"})
    assert [op for op, _ in rec.failures] == [LOG_BATCH, LOG_BATCH, LOG_ARTIFACT, LOG_BATCH, LOG_ARTIFACT, UPDATE_RUN]
    assert run.history("accuracy") == [(1, 0.5)] and run.status == "RUNNING"
    # Back on the same port: what waited is sent, then the run ends.
    server.start(server.port)
    try:
        server.stop_after_log_batches = None
        assert tracker.finish("FAILED", {"checkpoints/final.npz": b"m"})
        assert [step for step, _ in run.history("accuracy")] == [1, 2, 3] and run.status == "FAILED"
        assert run.artifacts == {"checkpoints/final.npz": b"m"}
    finally:
        server.stop()


def test_http_errors_are_failures_with_the_servers_message():
    server = FakeMlflow(fail_log_batch_status=500).start()
    try:
        rec = Recorder()
        tracker = tracker_for(server.url, rec)
        tracker.start("run", {"a": 1}, {})
        assert rec.failures == [(LOG_BATCH, "POST /api/2.0/mlflow/runs/log-batch: HTTP 500 INTERNAL_ERROR: database is locked")]
    finally:
        server.stop()


def test_artifacts_go_through_the_servers_proxy_only():
    client = MlflowRestClient(TrackingSettings("http://127.0.0.1:9", "x"))
    with pytest.raises(TrackingError, match="is not served by the tracking server"):
        client.upload_artifact("s3://bucket/1/abc/artifacts", "final.npz", b"")


def test_no_tracking_uri_no_calls_no_failures():
    rec = Recorder()
    tracker = RunTracker(None, on_failure=rec.failed, on_run=rec.started)
    assert not tracker.enabled and not tracker.start("run", {}, {})
    tracker.log_round(1, {"accuracy": 1.0})
    assert not tracker.log_artifact("a", b"") and not tracker.finish(FINISHED)
    assert rec.failures == [] and rec.runs == []


def test_failure_counter_exported_for_every_operation_from_the_start():
    text = MetricSet(server_metrics((1.0,))).exposition().decode()
    assert {op: value(text, MLFLOW_FAILURES, operation=op) for op in OPERATIONS} == dict.fromkeys(OPERATIONS, 0.0)


def test_training_info_is_replaced_not_duplicated_when_the_run_id_arrives():
    metrics = MetricSet(server_metrics((1.0,)))
    metrics.apply("replace", "fl_training_info", 1, {"strategy": "fedavg", "model": "m", "mlflow_run_id": ""})
    metrics.apply("replace", "fl_training_info", 1, {"strategy": "fedavg", "model": "m", "mlflow_run_id": "abc"})
    infos = [labels for (name, labels), _ in samples(metrics.exposition().decode()).items() if name == "fl_training_info"]
    assert infos == [(("mlflow_run_id", "abc"), ("model", "m"), ("strategy", "fedavg"))]


def test_logger_context_names_the_run_on_every_later_line():
    out = io.StringIO()
    logger = JsonLogger("fl-server", stream=out)
    logger.info("before", component="test")
    logger.context["mlflow_run_id"] = "abc"
    logger.info("after", component="test", event="x")
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert "mlflow_run_id" not in first and second["mlflow_run_id"] == "abc" and second["event"] == "x"


def test_tracking_settings_from_the_environment():
    cfg = load_server_config({**BUCKETS_OK, "MLFLOW_TRACKING_URI": "http://mlflow.fl-monitoring.svc:5000",
                              "MLFLOW_EXPERIMENT_NAME": "team/fl", "FL_CHECKPOINT_EVERY_ROUNDS": "5",
                              "FL_NUM_CLIENTS": "4"})
    assert (cfg.tracking_uri, cfg.experiment_name, cfg.checkpoint_every, cfg.num_clients) == (
        "http://mlflow.fl-monitoring.svc:5000", "team/fl", 5, 4)
    assert {k: cfg.run_config()[k] for k in ("mlflow-tracking-uri", "mlflow-experiment-name", "checkpoint-every", "num-clients")} == {
        "mlflow-tracking-uri": "http://mlflow.fl-monitoring.svc:5000", "mlflow-experiment-name": "team/fl",
        "checkpoint-every": 5, "num-clients": 4}
    off = load_server_config(BUCKETS_OK)
    assert (off.tracking_uri, off.experiment_name, off.checkpoint_every, off.num_clients) == ("", "fl-training", 0, 2)


@pytest.mark.parametrize("var,value,message", [
    ("MLFLOW_TRACKING_URI", "mlflow:5000",
     "MLFLOW_TRACKING_URI must be the http(s) URL of an MLflow tracking server, such as http://mlflow.fl-monitoring.svc:5000, got 'mlflow:5000'"),
    ("MLFLOW_TRACKING_URI", "http://user:pw@mlflow:5000",
     "MLFLOW_TRACKING_URI must be the http(s) URL of an MLflow tracking server, such as http://mlflow.fl-monitoring.svc:5000, got 'http://user:pw@mlflow:5000'"),
    ("MLFLOW_EXPERIMENT_NAME", "two\nlines",
     "MLFLOW_EXPERIMENT_NAME must match ^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$ (a plain experiment name), got 'two\\nlines'"),
    ("FL_CHECKPOINT_EVERY_ROUNDS", "-1", "FL_CHECKPOINT_EVERY_ROUNDS must be an integer >= 0, got '-1'"),
    ("FL_NUM_CLIENTS", "1", "FL_NUM_CLIENTS must be >= FL_MIN_CLIENTS (2), got '1'"),
])
def test_bad_tracking_settings_name_the_variable_and_value(var, value, message):
    with pytest.raises(ConfigError) as err:
        load_server_config({**BUCKETS_OK, var: value})
    assert str(err.value) == message


# -- real federations (conftest.py) logging to the stand-in server ---------------------------------

def _sha256(data: bytes) -> str:
    import hashlib
    return hashlib.sha256(data).hexdigest()


def test_the_federation_is_one_finished_run_with_the_exported_values(happy_federation):
    fed = happy_federation
    run = fed.mlflow.only_run()
    text = fed.server_exposition
    assert run.status == "FINISHED" and run.end_time is not None and run.end_time >= run.start_time
    assert fed.mlflow.experiments["fl-tests"] == run.experiment_id
    assert {k: run.params[k] for k in ("num_rounds", "num_clients", "min_clients", "strategy", "model_name",
                                       "learning_rate", "local_epochs", "batch_size", "failure_policy")} == {
        "num_rounds": "3", "num_clients": "2", "min_clients": "2", "strategy": "fedavg", "model_name": "softmax-regression",
        "learning_rate": "0.2", "local_epochs": "5", "batch_size": "full", "failure_policy": "continue"}
    assert run.tags["fl.flower_run_id"].isdigit()
    for key in ("train_loss", "eval_loss", "accuracy", "num_clients"):
        assert [step for step, _ in run.history(key)] == [1, 2, 3], key
    # The last round's values are exactly what the server exported.
    last = {key: run.history(key)[-1][1] for key in ("train_loss", "eval_loss", "accuracy", "num_clients")}
    assert last == {"train_loss": value(text, "fl_train_loss"), "eval_loss": value(text, "fl_eval_loss"),
                    "accuracy": value(text, "fl_accuracy"), "num_clients": value(text, "fl_active_clients")}
    # Every checkpoint the server wrote is in the run, byte for byte; and the run config.
    saved = {r["path"].rsplit("/", 1)[1]: r["sha256"] for r in fed.server.records() if r.get("event") == "checkpoint_saved"}
    assert sorted(saved) == ["final.npz", "round-00001.npz", "round-00002.npz", "round-00003.npz"]
    assert {name: _sha256(run.artifacts[f"checkpoints/{name}"]) for name in saved} == saved
    assert json.loads(run.artifacts["config/run-config.json"])["run_config"]["num-rounds"] == 3
    # The run id in fl_training_info and in the logs.
    assert value(text, "fl_training_info", strategy="fedavg", model="softmax-regression", mlflow_run_id=run.run_id) == 1
    records = fed.server.records()
    named = [r for r in records if r.get("event") in ("mlflow_run_created", "round_completed", "mlflow_run_ended", "training_completed")]
    assert [r.get("event") for r in named] == ["mlflow_run_created", "round_completed", "round_completed", "round_completed",
                                              "mlflow_run_ended", "training_completed"]
    assert {r.get("mlflow_run_id") for r in named} == {run.run_id}
    assert {op: value(text, MLFLOW_FAILURES, operation=op) for op in OPERATIONS} == dict.fromkeys(OPERATIONS, 0.0)


def test_mlflow_gone_mid_federation_training_completes_failures_counted_and_logged(crash_continue_federation):
    fed = crash_continue_federation
    assert fed.server_final_state == "completed" and fed.server_rc == 0
    run = fed.mlflow.only_run()
    # Parameters and round 1 arrived; then the server went away: the run stays RUNNING.
    assert run.params["num_rounds"] == "3" and run.status == "RUNNING"
    assert {step for m in ("train_loss", "accuracy") for step, _ in run.history(m)} == {1}
    text = fed.server_exposition
    failures = {op: value(text, MLFLOW_FAILURES, operation=op) for op in OPERATIONS}
    # Rounds 2 and 3 and the final flush; the checkpoints of rounds (2, 3, maybe 1) and the end; the final status.
    assert (failures[CREATE_RUN], failures[LOG_BATCH], failures[UPDATE_RUN]) == (0, 3, 1)
    assert failures[LOG_ARTIFACT] in (4, 5)  # round 1's checkpoint races the server's going away
    warnings = [r for r in fed.server.records() if r.get("event") == "mlflow_failure"]
    assert len(warnings) == sum(failures.values())
    assert all(r["level"] == "warning" and r["mlflow_run_id"] == run.run_id for r in warnings)
    assert sum("Connection refused" in r["message"] for r in warnings) >= sum(failures.values()) - 1


def test_a_failed_federation_is_a_failed_run(crash_fail_federation):
    fed = crash_fail_federation
    run = fed.mlflow.only_run()
    assert fed.server_final_state == "failed" and run.status == "FAILED"
    assert [step for step, _ in run.history("num_clients")] == [1]
    saved = {r["path"].rsplit("/", 1)[1]: r["sha256"] for r in fed.server.records() if r.get("event") == "checkpoint_saved"}
    assert _sha256(run.artifacts["checkpoints/final.npz"]) == saved["final.npz"]

"""A real federation on loopback: fl-server + 2 fl-clients, 3 rounds of FedAvg."""

from __future__ import annotations

import json
import re
from datetime import datetime

from conftest import dump_logs
from promparse import samples, value

from fl_workload.jsonlog import REQUIRED_FIELDS
from fl_workload.proc import is_running
from fl_workload.model import NUM_CLASSES, NUM_FEATURES

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def test_processes_exit_cleanly(happy_federation):
    fed = happy_federation
    assert fed.client_rcs == [0, 0], dump_logs(fed)
    assert fed.server_rc == 0, dump_logs(fed)  # SIGTERM after a completed run
    assert fed.server.known_pids, "the server's process tree was never observed"
    for proc in [fed.server, *fed.clients]:
        for pid, started in proc.known_pids.items():
            assert not is_running(pid, started), f"process {pid} of {proc.name} still running"


def test_server_metrics_after_three_rounds(happy_federation):
    text = happy_federation.server_exposition
    assert text, dump_logs(happy_federation)
    assert value(text, "fl_rounds_completed_total") == 3
    assert value(text, "fl_rounds_failed_total") == 0
    assert value(text, "fl_current_round") == 3
    assert value(text, "fl_active_clients") == 2
    assert value(text, "fl_total_clients") == 2
    accuracy = value(text, "fl_accuracy")
    assert 0.0 <= accuracy <= 1.0 and accuracy > 0.5  # 4 classes: chance is 0.25
    assert accuracy <= value(text, "fl_best_accuracy") <= 1.0
    assert value(text, "fl_train_loss") > 0 and value(text, "fl_eval_loss") > 0
    assert value(text, "fl_round_duration_seconds_count") == 3
    assert value(text, "fl_round_duration_seconds_sum") > 0
    assert value(text, "fl_round_duration_seconds_bucket", le="+Inf") == 3
    assert value(text, "fl_samples_per_round") == 2 * 1600
    assert value(text, "fl_model_parameters") == NUM_FEATURES * NUM_CLASSES + NUM_CLASSES
    assert value(text, "fl_client_failures_total", phase="fit") == 0
    assert value(text, "fl_client_failures_total", phase="evaluate") == 0
    # One info series (its mlflow_run_id: test_tracking.py).
    assert [v for (name, labels), v in samples(text).items() if name == "fl_training_info"
            and ("model", "softmax-regression") in labels and ("strategy", "fedavg") in labels] == [1]


def test_client_metrics(happy_federation):
    for text in happy_federation.client_expositions:
        assert text, "client exposition never scraped"
        # Last scrape happens shortly before the client exits: at least one round is in.
        rounds = value(text, "fl_client_rounds_total")
        assert 1 <= rounds <= 3
        assert value(text, "fl_client_samples_total") == rounds * 1600
        assert value(text, "fl_client_fit_duration_seconds_count") == rounds
        assert 0.0 <= value(text, "fl_client_accuracy") <= 1.0 or rounds == 1


def test_probes(happy_federation):
    probes = happy_federation.probes
    assert probes["/healthz"][0] == 200 and probes["/readyz"][0] == 200
    assert probes["/nope"][0] == 404


def _check_records(proc, service):
    records = []
    for number, line in enumerate(proc.lines(), 1):
        record = json.loads(line)  # every stdout line is one JSON object
        assert isinstance(record, dict), line
        for name in REQUIRED_FIELDS:
            assert name in record, f"{proc.name} line {number} lacks {name}: {line}"
        assert RFC3339.match(record["timestamp"]), record["timestamp"]
        datetime.fromisoformat(record["timestamp"].replace("Z", "+00:00"))
        assert record["level"] in ("debug", "info", "warning", "error", "critical")
        assert record["service"] == service
        assert isinstance(record["component"], str) and record["component"]
        assert record["round"] is None or isinstance(record["round"], int)
        assert record["client_id"] is None or isinstance(record["client_id"], str)
        assert isinstance(record["message"], str) and record["message"]
        # Every stdout line comes from the one logger: numbered 1, 2, 3, … in order.
        assert record["seq"] == number, f"{proc.name} line {number} has seq {record['seq']}"
        records.append(record)
    assert records
    return records


def test_logs_are_json_lines_with_required_fields(happy_federation):
    fed = happy_federation
    server = _check_records(fed.server, "fl-server")
    completed = [r["round"] for r in server if r.get("event") == "round_completed"]
    assert completed == [1, 2, 3]
    assert {"superlink", "serverapp", "supervisor"} <= {r["component"] for r in server}
    for index, client in enumerate(fed.clients):
        records = _check_records(client, "fl-client")
        assert {r["client_id"] for r in records} == {f"client-{index}"}
        assert [r["round"] for r in records if r.get("event") == "fit_done"] == [1, 2, 3]
        assert [r["round"] for r in records if r.get("event") == "evaluate_done"] == [1, 2, 3]
        assert any(r.get("event") == "shutdown_requested" for r in records)

"""Event channel (app processes -> wrapper) and JSON log formatting, without Flower."""

from __future__ import annotations

import io
import json
import threading

from promparse import value

from fl_workload.events import EventTailer, EventWriter
from fl_workload.jsonlog import REQUIRED_FIELDS, JsonLogger
from fl_workload.metrics import MetricSet, server_metrics


def test_events_drive_metrics_and_logs(tmp_path):
    path = tmp_path / "events.jsonl"
    writer = EventWriter(str(path))
    metrics = MetricSet(server_metrics((1.0, 5.0, 60.0)))
    seen = []
    tailer = EventTailer(str(path), seen.append)
    writer.metric("set", "fl_accuracy", 0.75)
    writer.metrics(("observe", "fl_round_duration_seconds", 3.0), ("inc", "fl_rounds_completed_total", 1))
    writer.metric("inc", "fl_client_failures_total", 1, phase="evaluate")
    with open(path, "ab") as handle:  # a torn last line is kept until it is complete
        handle.write(b'{"kind":"control","action":"do')
    tailer.poll_once()
    assert [e["kind"] for e in seen] == ["metric", "metrics", "metric"]
    with open(path, "ab") as handle:
        handle.write(b'ne"}\n')
    tailer.poll_once()
    assert seen[-1] == {"kind": "control", "action": "done"}
    for event in seen:
        if event["kind"] == "metric":
            metrics.apply(event["op"], event["name"], event["value"], event["labels"])
        elif event["kind"] == "metrics":
            metrics.apply_batch([(o["op"], o["name"], o["value"], o["labels"]) for o in event["ops"]])
    text = metrics.exposition().decode()
    assert value(text, "fl_accuracy") == 0.75
    assert value(text, "fl_rounds_completed_total") == 1
    assert value(text, "fl_round_duration_seconds_bucket", le="5.0") == 1
    assert value(text, "fl_client_failures_total", phase="evaluate") == 1


def test_writer_without_path_is_a_noop(monkeypatch):
    monkeypatch.delenv("FL_EVENTS_FILE", raising=False)
    EventWriter().metric("set", "fl_accuracy", 1.0)  # must not raise


def test_child_lines_become_json_records():
    out = io.StringIO()
    logger = JsonLogger("fl-server", stream=out)
    logger.child_line("superlink", "\x1b[92mINFO \x1b[0m:      Starting Flower SuperLink\n")
    logger.child_line("superlink", "\x1b[93mWARNING \x1b[0m:   Option `--insecure` was set.\n")
    logger.child_line("superlink", '2026-01-01T00:00:00.000Z INFO [uvicorn.access] 127.0.0.1 - "POST /x" 200\n')
    logger.child_line("superlink", "\x1b[92mINFO \x1b[0m:      \n")  # blank Flower line: dropped
    logger.child_line("superlink", "Traceback (most recent call last):\n")
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["level"] for r in records] == ["info", "warning", "info"]  # access log is debug: filtered
    assert records[0]["message"] == "Starting Flower SuperLink"
    assert records[2]["message"].startswith("Traceback")
    for record in records:
        assert set(REQUIRED_FIELDS) <= set(record) and record["round"] is None and record["client_id"] is None
    assert [r["seq"] for r in records] == [1, 2, 3]  # the dropped lines take no number


def test_sequence_numbers_follow_the_line_order_without_gaps_across_threads():
    out = io.StringIO()
    logger = JsonLogger("fl-client", stream=out)
    logger.debug("below the level: not written, not numbered", component="test")
    threads = [
        threading.Thread(target=lambda n=n: [logger.info(f"thread {n} line {i}", component="test") for i in range(200)])
        for n in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["seq"] for r in records] == list(range(1, 801))

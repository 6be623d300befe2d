"""Metric contract: contracts/metric-catalog.json vs. what the exporters really expose."""

from __future__ import annotations

import json
import math

import pytest
from conftest import CATALOG_PATH
from promparse import families, value

from fl_workload.config import load_server_config
from fl_workload.metrics import EXPORTERS, ROUND_DURATION, TRAINING_FINISHED, MetricSet, server_metrics

SUFFIXES = {"counter": ("_total",), "gauge": ("",), "histogram": ("_bucket", "_count", "_sum")}


def catalog(exporter: str) -> dict[str, dict]:
    data = json.loads(CATALOG_PATH.read_text(encoding="utf-8"))
    entries = [m for m in data["metrics"] if m.get("exporter") == exporter]
    assert entries, f"no {exporter} metrics in {CATALOG_PATH}"
    for entry in entries:
        assert entry["type"] in SUFFIXES, entry
        if entry["type"] == "counter":
            assert entry["name"].endswith("_total"), entry
    return {m["name"]: m for m in entries}


def family_name(entry: dict) -> str:
    # prometheus_client's parser names counter families without the _total suffix.
    return entry["name"].removesuffix("_total") if entry["type"] == "counter" else entry["name"]


def check_exposition(text: str, exporter: str) -> None:
    expected = catalog(exporter)
    exported = families(text)
    by_family = {family_name(e): e for e in expected.values()}

    uncatalogued = sorted(set(exported) - set(by_family))
    assert not uncatalogued, f"{exporter} exports uncatalogued metrics: {uncatalogued}"

    for fname, entry in by_family.items():
        assert fname in exported, f"{exporter} does not export {entry['name']}"
        family = exported[fname]
        assert family.type == entry["type"], f"{entry['name']}: type {family.type} != {entry['type']}"
        base = fname
        allowed = {base + suffix for suffix in SUFFIXES[entry["type"]]}
        assert family.samples, f"{entry['name']} has no samples"
        for sample in family.samples:
            assert sample.name in allowed, f"unexpected sample {sample.name} in {entry['name']}"
            labels = set(sample.labels)
            if sample.name.endswith("_bucket"):
                assert "le" in labels
                labels.discard("le")
            assert labels == set(entry["labels"]), f"{sample.name}: labels {labels} != {entry['labels']}"
        if entry["type"] == "histogram":
            bounds = sorted(float(s.labels["le"]) for s in family.samples if s.name.endswith("_bucket"))
            assert bounds == sorted([float(b) for b in entry.get("buckets", [])] + [math.inf]), entry["name"]


def test_server_exposition_matches_catalog(happy_federation):
    check_exposition(happy_federation.server_exposition, "fl-server")


def test_client_exposition_matches_catalog(happy_federation):
    check_exposition(happy_federation.client_expositions[0], "fl-client")


@pytest.mark.parametrize("exporter", sorted(EXPORTERS))
def test_fresh_registry_matches_catalog(exporter):
    """Before any traffic (no federation needed) the registry already matches the catalog."""
    specs = EXPORTERS[exporter]
    if exporter == "fl-server":
        specs = server_metrics(tuple(catalog(exporter)[ROUND_DURATION]["buckets"]))
    metrics = MetricSet(specs)
    if exporter == "fl-server":
        metrics.set("fl_training_info", 1, strategy="fedavg", model="m")
    check_exposition(metrics.exposition().decode(), exporter)


def test_code_table_matches_catalog():
    for exporter, specs in EXPORTERS.items():
        expected = catalog(exporter)
        assert set(expected) == {s.name for s in specs}
        for spec in specs:
            entry = expected[spec.name]
            assert entry["type"] == spec.type and list(entry["labels"]) == list(spec.labels), spec.name
            if spec.buckets is not None:
                assert [float(b) for b in entry["buckets"]] == [float(b) for b in spec.buckets], spec.name
            elif spec.type == "histogram":  # configured: the Deployment passes the catalog's buckets
                assert spec.name == ROUND_DURATION and entry["buckets"], spec.name


def test_round_duration_buckets_come_from_the_environment_not_the_code():
    """The server exports exactly the buckets FL_ROUND_DURATION_BUCKETS names; without it, it refuses to start."""
    cfg = load_server_config({"FL_ROUND_DURATION_BUCKETS": "1,60,1200.5"})
    text = MetricSet(server_metrics(cfg.round_duration_buckets)).exposition().decode()
    bounds = [s.labels["le"] for s in families(text)[ROUND_DURATION].samples if s.name.endswith("_bucket")]
    assert bounds == ["1.0", "60.0", "1200.5", "+Inf"]
    with pytest.raises(ValueError, match="histogram buckets not configured"):
        MetricSet(EXPORTERS["fl-server"])


def test_run_state_finished_after_success(happy_federation):
    """A completed run reports fl_training_finished 1: TrainingStalled stays quiet while the server lingers."""
    assert value(happy_federation.server_exposition, TRAINING_FINISHED) == 1


def test_run_state_not_finished_after_failure(crash_fail_federation):
    """A failed run is not finished: the stall alert may still fire."""
    assert crash_fail_federation.server_final_state == "failed"
    assert value(crash_fail_federation.server_exposition, TRAINING_FINISHED) == 0


def test_run_state_starts_at_zero():
    metrics = MetricSet(server_metrics((1.0,)))
    assert value(metrics.exposition().decode(), TRAINING_FINISHED) == 0

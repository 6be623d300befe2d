"""A client dies mid-round (test hook FL_TEST_CRASH_IN_ROUND); failure policy continue / fail."""

from __future__ import annotations

from conftest import dump_logs
from promparse import value


def _failures(fed, phase):
    return [r for r in fed.server.records() if r.get("event") == "client_failure" and r.get("phase") == phase]


def test_policy_continue_keeps_going(crash_continue_federation):
    fed = crash_continue_federation
    text = fed.server_exposition
    assert fed.server_final_state == "completed", dump_logs(fed)
    assert fed.client_rcs == [0, 1], dump_logs(fed)  # client-1 "crashed"
    assert fed.server_rc == 0
    # Round 1 ok; round 2 lost client-1 mid-fit; round 3 ran with one client (< FL_MIN_CLIENTS=2).
    assert value(text, "fl_rounds_completed_total") == 1
    assert value(text, "fl_rounds_failed_total") == 2
    assert value(text, "fl_current_round") == 3
    assert value(text, "fl_round_duration_seconds_count") == 3
    assert value(text, "fl_client_failures_total", phase="fit") >= 1
    assert value(text, "fl_active_clients") == 1
    assert value(text, "fl_total_clients") == 1
    assert 0.0 <= value(text, "fl_accuracy") <= 1.0
    fit_failures = _failures(fed, "fit")
    assert fit_failures and fit_failures[0]["round"] == 2 and fit_failures[0]["client_id"] == "client-1"
    failed_rounds = [r["round"] for r in fed.server.records() if r.get("event") == "round_failed"]
    assert failed_rounds == [2, 3]


def test_policy_fail_aborts(crash_fail_federation):
    fed = crash_fail_federation
    text = fed.server_exposition
    assert fed.server_final_state == "failed", dump_logs(fed)
    assert fed.server_rc == 1, dump_logs(fed)  # exited by itself after FL_SERVER_LINGER_SECONDS
    assert fed.client_rcs == [0, 1], dump_logs(fed)  # survivor was told to stop
    assert value(text, "fl_rounds_completed_total") == 0
    assert value(text, "fl_rounds_failed_total") == 1
    assert value(text, "fl_current_round") == 1
    assert value(text, "fl_round_duration_seconds_count") == 1
    assert value(text, "fl_client_failures_total", phase="fit") >= 1
    assert any(r.get("event") == "run_failed" for r in fed.server.records())
    assert not any(r.get("event") == "round_started" and r["round"] == 2 for r in fed.server.records())


def test_client_gives_up_when_server_unreachable(tmp_path):
    from conftest import Proc, base_env, free_ports

    metrics_port, runtime_port, dead_port = free_ports(3)
    env = base_env()
    env.update({"FL_CLIENT_INDEX": "0", "FL_NUM_CLIENTS": "1", "FL_SERVER_ADDRESS": f"127.0.0.1:{dead_port}",
                "FL_METRICS_HOST": "127.0.0.1", "FL_METRICS_PORT": str(metrics_port),
                "FL_CLIENT_RUNTIME_PORT": str(runtime_port), "FL_SERVER_CONNECT_TIMEOUT_SECONDS": "3"})
    client = Proc("client-unreachable", "fl_workload.client", env, tmp_path)
    try:
        rc = client.wait(90.0)
    finally:
        client.stop(timeout=10.0)
    assert rc == 1, client.stderr()
    errors = [r for r in client.records() if r.get("event") == "supernode_exited"]
    assert errors and "FL_SERVER_ADDRESS" in errors[0]["message"]

"""Bad input: invalid FL_* values are rejected with a message naming variable and value."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import APP_DIR, base_env

from fl_workload.config import ConfigError, load_client_config, load_server_config

CLIENT_OK = {"FL_CLIENT_INDEX": "0", "FL_NUM_CLIENTS": "2", "FL_SERVER_ADDRESS": "fl-server:9092"}


BUCKETS_OK = {"FL_ROUND_DURATION_BUCKETS": "0.5,60,240"}


def test_server_defaults():
    cfg = load_server_config(BUCKETS_OK)
    assert cfg.round_duration_buckets == (0.5, 60.0, 240.0)
    assert (cfg.num_rounds, cfg.min_clients, cfg.strategy, cfg.failure_policy) == (3, 2, "fedavg", "continue")
    assert (cfg.port, cfg.metrics_port, cfg.host) == (9092, 8081, "0.0.0.0")
    assert cfg.linger_seconds == -1


def test_server_values():
    cfg = load_server_config({"FL_NUM_ROUNDS": "7", "FL_MIN_CLIENTS": " 3 ", "FL_STRATEGY": "FedProx",
                              "FL_MODEL_NAME": "my-model_v1.2", "FL_ROUND_FAILURE_POLICY": "fail",
                              "FL_SERVER_PORT": "9000", "FL_METRICS_PORT": "9100", **BUCKETS_OK})
    assert (cfg.num_rounds, cfg.min_clients, cfg.strategy, cfg.model_name) == (7, 3, "fedprox", "my-model_v1.2")
    assert (cfg.failure_policy, cfg.port, cfg.metrics_port) == ("fail", 9000, 9100)
    assert cfg.run_config()["num-rounds"] == 7


@pytest.mark.parametrize("var,value", [
    ("FL_NUM_ROUNDS", "0"), ("FL_NUM_ROUNDS", "-2"), ("FL_NUM_ROUNDS", "three"), ("FL_NUM_ROUNDS", "1.5"),
    ("FL_MIN_CLIENTS", "0"), ("FL_MIN_CLIENTS", "x"), ("FL_STRATEGY", "fedsgd"),
    ("FL_ROUND_FAILURE_POLICY", "ignore"), ("FL_SERVER_PORT", "70000"), ("FL_METRICS_PORT", "http"),
    ("FL_MODEL_NAME", "bad name!"), ("FL_ROUND_TIMEOUT_SECONDS", "0"), ("FL_SERVER_LINGER_SECONDS", "-5"),
    ("FL_LEARNING_RATE", "nan"), ("FL_LOG_LEVEL", "verbose"),
])
def test_server_rejects(var, value):
    with pytest.raises(ConfigError) as err:
        load_server_config({**BUCKETS_OK, var: value})
    assert var in str(err.value) and repr(value) in str(err.value)


@pytest.mark.parametrize("raw,message", [
    (None, "FL_ROUND_DURATION_BUCKETS is required but not set (comma-separated histogram buckets from the stack config)"),
    ("1,x", "FL_ROUND_DURATION_BUCKETS must be comma-separated numbers, got '1,x'"),
    ("60,30", "FL_ROUND_DURATION_BUCKETS must be finite positive numbers in increasing order, got '60,30'"),
    ("0,30", "FL_ROUND_DURATION_BUCKETS must be finite positive numbers in increasing order, got '0,30'"),
])
def test_server_round_duration_buckets_are_required_and_checked(raw, message):
    with pytest.raises(ConfigError) as err:
        load_server_config({} if raw is None else {"FL_ROUND_DURATION_BUCKETS": raw})
    assert str(err.value) == message


def test_client_values_and_indexed_job():
    cfg = load_client_config(CLIENT_OK)
    assert (cfg.client_index, cfg.num_clients, cfg.server_address, cfg.client_id) == (0, 2, "fl-server:9092", "client-0")
    cfg = load_client_config({"JOB_COMPLETION_INDEX": "1", "FL_NUM_CLIENTS": "2", "FL_SERVER_ADDRESS": "[::1]:9092"})
    assert (cfg.client_index, cfg.client_id, cfg.crash_in_round) == (1, "client-1", None)
    # FL_CLIENT_INDEX wins over JOB_COMPLETION_INDEX
    cfg = load_client_config({**CLIENT_OK, "JOB_COMPLETION_INDEX": "1"})
    assert cfg.client_index == 0


@pytest.mark.parametrize("env,var,value", [
    ({"FL_SERVER_ADDRESS": None}, "FL_SERVER_ADDRESS", None),
    ({"FL_SERVER_ADDRESS": "http://fl-server:9092"}, "FL_SERVER_ADDRESS", "http://fl-server:9092"),
    ({"FL_SERVER_ADDRESS": "fl-server"}, "FL_SERVER_ADDRESS", "fl-server"),
    ({"FL_CLIENT_INDEX": "abc"}, "FL_CLIENT_INDEX", "abc"),
    ({"FL_CLIENT_INDEX": None, "JOB_COMPLETION_INDEX": "-1"}, "JOB_COMPLETION_INDEX", "-1"),
    ({"FL_CLIENT_INDEX": None}, "FL_CLIENT_INDEX", None),
    ({"FL_CLIENT_INDEX": "2"}, "FL_CLIENT_INDEX", "2"),
    ({"FL_NUM_CLIENTS": "0"}, "FL_NUM_CLIENTS", "0"),
    ({"FL_NUM_CLIENTS": None}, "FL_NUM_CLIENTS", None),
    ({"FL_TEST_CRASH_IN_ROUND": "0"}, "FL_TEST_CRASH_IN_ROUND", "0"),
])
def test_client_rejects(env, var, value):
    merged = {**CLIENT_OK, **env}
    merged = {k: v for k, v in merged.items() if v is not None}
    with pytest.raises(ConfigError) as err:
        load_client_config(merged)
    assert var in str(err.value)
    if value is not None:
        assert repr(value) in str(err.value)
    else:
        assert "required" in str(err.value)


def _run(module: str, env_updates: dict[str, str]) -> subprocess.CompletedProcess:
    env = base_env()
    env.update(env_updates)
    return subprocess.run([sys.executable, "-m", module], env=env, cwd=APP_DIR, capture_output=True,
                          text=True, timeout=60, check=False)


@pytest.mark.parametrize("module,env,var,value", [
    ("fl_workload.server", {"FL_NUM_ROUNDS": "0"}, "FL_NUM_ROUNDS", "0"),
    ("fl_workload.server", {"FL_STRATEGY": "fedsgd"}, "FL_STRATEGY", "fedsgd"),
    ("fl_workload.server", {"FL_MIN_CLIENTS": "two"}, "FL_MIN_CLIENTS", "two"),
    ("fl_workload.client", {"FL_CLIENT_INDEX": "0", "FL_NUM_CLIENTS": "2"}, "FL_SERVER_ADDRESS", None),
    ("fl_workload.client", {**CLIENT_OK, "FL_NUM_CLIENTS": "x"}, "FL_NUM_CLIENTS", "x"),
])
def test_processes_exit_nonzero_with_clear_message(module, env, var, value):
    result = _run(module, env)
    assert result.returncode == 2, result.stderr
    assert var in result.stderr and "invalid configuration" in result.stderr
    if value is not None:
        assert repr(value) in result.stderr
    record = json.loads(result.stdout.strip().splitlines()[-1])
    assert record["level"] == "error" and var in record["message"] and record["event"] == "config_error"
    assert record["service"] == ("fl-server" if module.endswith("server") else "fl-client")

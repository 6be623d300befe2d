"""Configuration from environment variables (validated, with clear errors)."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

STRATEGIES = ("fedavg", "fedprox", "fedadam")
FAILURE_POLICIES = ("continue", "fail")
LOG_LEVELS = ("debug", "info", "warning", "error")

DEFAULT_SERVER_PORT = 9092
DEFAULT_METRICS_PORT = 8081
DEFAULT_CLIENT_RUNTIME_PORT = 9094


class ConfigError(ValueError):
    """Invalid configuration; the message names the variable and the value."""


def _raw(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def _int(env: Mapping[str, str], name: str, default: int | None = None, *, minimum: int | None = 1,
         maximum: int | None = None, required: bool = False) -> int:
    raw = _raw(env, name)
    if raw is None:
        if required or default is None:
            raise ConfigError(f"{name} is required but not set")
        return default
    try:
        value = int(raw, 10)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name} must be an integer >= {minimum}, got {raw!r}")
    if maximum is not None and value > maximum:
        raise ConfigError(f"{name} must be an integer <= {maximum}, got {raw!r}")
    return value


def _float(env: Mapping[str, str], name: str, default: float, *, minimum: float = 0.0,
           exclusive_minimum: bool = False) -> float:
    raw = _raw(env, name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if not math.isfinite(value) or value < minimum or (exclusive_minimum and value == minimum):
        op = ">" if exclusive_minimum else ">="
        raise ConfigError(f"{name} must be a finite number {op} {minimum}, got {raw!r}")
    return value


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = _raw(env, name)
    if raw is None:
        return default
    value = raw.lower()
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}; got {raw!r}")
    return value


def _buckets(env: Mapping[str, str], name: str) -> tuple[float, ...]:
    raw = _raw(env, name)
    if raw is None:
        raise ConfigError(f"{name} is required but not set (comma-separated histogram buckets from the stack config)")
    try:
        values = tuple(float(part) for part in raw.split(","))
    except ValueError:
        raise ConfigError(f"{name} must be comma-separated numbers, got {raw!r}") from None
    if not all(math.isfinite(v) and v > 0 for v in values) or any(a >= b for a, b in zip(values, values[1:])):
        raise ConfigError(f"{name} must be finite positive numbers in increasing order, got {raw!r}")
    return values


_TRACKING_URI_RE = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?(/[A-Za-z0-9._~/-]*)?$")
_EXPERIMENT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$")


def _tracking_uri(env: Mapping[str, str], name: str) -> str:
    """An http(s) URL of an MLflow tracking server, or "" when tracking is off (unset)."""
    raw = _raw(env, name)
    if raw is None:
        return ""
    if not _TRACKING_URI_RE.match(raw):
        raise ConfigError(f"{name} must be the http(s) URL of an MLflow tracking server, such as "
                          f"http://mlflow.fl-monitoring.svc:5000, got {raw!r}")
    return raw


def _experiment(env: Mapping[str, str], name: str, default: str) -> str:
    raw = _raw(env, name)
    if raw is None:
        return default
    if not _EXPERIMENT_RE.match(raw):
        raise ConfigError(f"{name} must match {_EXPERIMENT_RE.pattern} (a plain experiment name), got {raw!r}")
    return raw


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    return _int(env, name, default, minimum=1, maximum=65535)


_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")


def _name(env: Mapping[str, str], name: str, default: str) -> str:
    raw = _raw(env, name)
    if raw is None:
        return default
    if not _NAME_RE.match(raw):
        raise ConfigError(f"{name} must match {_NAME_RE.pattern} (a label-safe name), got {raw!r}")
    return raw


def _host(env: Mapping[str, str], name: str, default: str) -> str:
    raw = _raw(env, name)
    if raw is None:
        return default
    if any(c.isspace() for c in raw) or "/" in raw:
        raise ConfigError(f"{name} must be a host name or IP address, got {raw!r}")
    return raw


def _address(env: Mapping[str, str], name: str) -> str:
    raw = _raw(env, name)
    if raw is None:
        raise ConfigError(f"{name} is required but not set (expected host:port of the FL server's SuperLink)")
    match = re.match(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$", raw)
    if not match or not 1 <= int(match.group(2)) <= 65535:
        raise ConfigError(f"{name} must be host:port (no scheme), got {raw!r}")
    return raw


@dataclass(frozen=True)
class ServerConfig:
    num_rounds: int
    min_clients: int
    strategy: str
    model_name: str
    failure_policy: str
    host: str
    port: int
    metrics_host: str
    metrics_port: int
    round_timeout: float
    round_duration_buckets: tuple[float, ...]
    client_wait_timeout: float
    linger_seconds: int
    local_epochs: int
    learning_rate: float
    proximal_mu: float
    log_level: str
    num_clients: int = 2
    # MLflow tracking: off when the URI is "" (MLFLOW_TRACKING_URI unset).
    tracking_uri: str = ""
    experiment_name: str = "fl-training"
    checkpoint_every: int = 0  # also log the model every N rounds; 0: the final model only

    def run_config(self) -> dict[str, object]:
        """Values handed to the ServerApp through Flower's run config."""
        return {
            "num-rounds": self.num_rounds,
            "min-clients": self.min_clients,
            "strategy": self.strategy,
            "model-name": self.model_name,
            "failure-policy": self.failure_policy,
            "round-timeout": float(self.round_timeout),
            "client-wait-timeout": float(self.client_wait_timeout),
            "local-epochs": self.local_epochs,
            "learning-rate": float(self.learning_rate),
            "proximal-mu": float(self.proximal_mu),
            "num-clients": self.num_clients,
            "mlflow-tracking-uri": self.tracking_uri,
            "mlflow-experiment-name": self.experiment_name,
            "checkpoint-every": self.checkpoint_every,
        }


@dataclass(frozen=True)
class ClientConfig:
    client_index: int
    num_clients: int
    server_address: str
    client_id: str
    metrics_host: str
    metrics_port: int
    runtime_port: int
    connect_timeout: float
    crash_in_round: int | None
    log_level: str


def load_server_config(env: Mapping[str, str] | None = None) -> ServerConfig:
    env = os.environ if env is None else env
    min_clients = _int(env, "FL_MIN_CLIENTS", 2)
    num_clients = _int(env, "FL_NUM_CLIENTS", min_clients)
    if num_clients < min_clients:
        raise ConfigError(f"FL_NUM_CLIENTS must be >= FL_MIN_CLIENTS ({min_clients}), got {env['FL_NUM_CLIENTS'].strip()!r}")
    return ServerConfig(
        num_rounds=_int(env, "FL_NUM_ROUNDS", 3),
        min_clients=min_clients,
        num_clients=num_clients,
        strategy=_choice(env, "FL_STRATEGY", "fedavg", STRATEGIES),
        model_name=_name(env, "FL_MODEL_NAME", "softmax-regression"),
        failure_policy=_choice(env, "FL_ROUND_FAILURE_POLICY", "continue", FAILURE_POLICIES),
        host=_host(env, "FL_SERVER_HOST", "0.0.0.0"),
        port=_port(env, "FL_SERVER_PORT", DEFAULT_SERVER_PORT),
        metrics_host=_host(env, "FL_METRICS_HOST", "0.0.0.0"),
        metrics_port=_port(env, "FL_METRICS_PORT", DEFAULT_METRICS_PORT),
        round_timeout=_float(env, "FL_ROUND_TIMEOUT_SECONDS", 120.0, exclusive_minimum=True),
        client_wait_timeout=_float(env, "FL_CLIENT_WAIT_TIMEOUT_SECONDS", 600.0, exclusive_minimum=True),
        linger_seconds=_int(env, "FL_SERVER_LINGER_SECONDS", -1, minimum=-1),
        local_epochs=_int(env, "FL_LOCAL_EPOCHS", 5),
        learning_rate=_float(env, "FL_LEARNING_RATE", 0.2, exclusive_minimum=True),
        proximal_mu=_float(env, "FL_PROXIMAL_MU", 0.1),
        log_level=_choice(env, "FL_LOG_LEVEL", "info", LOG_LEVELS),
        tracking_uri=_tracking_uri(env, "MLFLOW_TRACKING_URI"),
        experiment_name=_experiment(env, "MLFLOW_EXPERIMENT_NAME", "fl-training"),
        checkpoint_every=_int(env, "FL_CHECKPOINT_EVERY_ROUNDS", 0, minimum=0),
        # No default: the buckets are part of the metric contract, which the stack config decides.
        round_duration_buckets=_buckets(env, "FL_ROUND_DURATION_BUCKETS"),
    )


def load_client_config(env: Mapping[str, str] | None = None) -> ClientConfig:
    env = os.environ if env is None else env
    # FL_CLIENT_INDEX wins; in Kubernetes Indexed Jobs JOB_COMPLETION_INDEX is set.
    index_var = "FL_CLIENT_INDEX" if _raw(env, "FL_CLIENT_INDEX") is not None else "JOB_COMPLETION_INDEX"
    if _raw(env, index_var) is None:
        raise ConfigError("FL_CLIENT_INDEX (or JOB_COMPLETION_INDEX) is required but not set")
    client_index = _int(env, index_var, minimum=0, required=True)
    num_clients = _int(env, "FL_NUM_CLIENTS", required=True)
    if client_index >= num_clients:
        raise ConfigError(
            f"{index_var} must be < FL_NUM_CLIENTS ({num_clients}), got {env[index_var].strip()!r}")
    server_address = _address(env, "FL_SERVER_ADDRESS")
    crash_raw = _raw(env, "FL_TEST_CRASH_IN_ROUND")
    crash = _int(env, "FL_TEST_CRASH_IN_ROUND") if crash_raw is not None else None
    return ClientConfig(
        client_index=client_index,
        num_clients=num_clients,
        server_address=server_address,
        client_id=_name(env, "FL_CLIENT_ID", f"client-{client_index}"),
        metrics_host=_host(env, "FL_METRICS_HOST", "0.0.0.0"),
        metrics_port=_port(env, "FL_METRICS_PORT", DEFAULT_METRICS_PORT),
        runtime_port=_port(env, "FL_CLIENT_RUNTIME_PORT", DEFAULT_CLIENT_RUNTIME_PORT),
        connect_timeout=_float(env, "FL_SERVER_CONNECT_TIMEOUT_SECONDS", 300.0, exclusive_minimum=True),
        crash_in_round=crash,
        log_level=_choice(env, "FL_LOG_LEVEL", "info", LOG_LEVELS),
    )

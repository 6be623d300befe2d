"""Flower ``ClientApp``: local training/evaluation on a deterministic data partition.

Runs inside ``flwr-clientapp`` processes spawned by the SuperNode (one per
message). The partition comes from the SuperNode's node config
(``partition-id``, ``num-partitions``, ``client-id``), set by the ``fl-client``
wrapper from ``FL_CLIENT_INDEX``/``JOB_COMPLETION_INDEX`` and ``FL_NUM_CLIENTS``.

Test-only hook: ``FL_TEST_CRASH_IN_ROUND=N`` makes the client die during the fit
of round N (it signals the wrapper, which kills the whole client like a crashed
pod, and the ClientApp process exits without replying).
"""

from __future__ import annotations

import os
import time

from flwr.app import ArrayRecord, ConfigRecord, Context, Message, MetricRecord, RecordDict
from flwr.clientapp import ClientApp

from .events import EventWriter
from .model import evaluate as evaluate_model
from .model import load_partition
from .model import train as train_model

app = ClientApp()
_events = EventWriter()


def _identity(context: Context) -> tuple[int, int, str]:
    node_config = context.node_config
    index = int(node_config.get("partition-id", 0))
    total = int(node_config.get("num-partitions", 1))
    client_id = str(node_config.get("client-id", f"client-{index}"))
    return index, total, client_id


def _log(level: str, message: str, round_: int | None, client_id: str, **extra) -> None:
    _events.log(level, message, component="clientapp", round=round_, client_id=client_id, **extra)


@app.train()
def train(msg: Message, context: Context) -> Message:
    index, total, client_id = _identity(context)
    config = msg.content["config"]
    round_ = int(config.get("server-round", 0))

    crash_round = os.environ.get("FL_TEST_CRASH_IN_ROUND", "").strip()
    if crash_round and crash_round.isdigit() and int(crash_round) == round_:
        _log("error", f"FL_TEST_CRASH_IN_ROUND={crash_round}: simulating a client crash during fit",
             round_, client_id, event="test_crash")
        _events.control("crash", round=round_)
        time.sleep(0.5)  # give the wrapper time to kill the client; then die without replying
        os._exit(70)

    started = time.perf_counter()
    data = load_partition(index, total)
    params = msg.content["arrays"].to_numpy_ndarrays()
    mu = float(config.get("proximal-mu", 0.0))
    new_params, loss = train_model(
        params, data.x_train, data.y_train,
        epochs=int(config.get("local-epochs", 5)),
        learning_rate=float(config.get("learning-rate", 0.2)),
        proximal_mu=mu,
    )
    duration = time.perf_counter() - started
    samples = len(data.y_train)

    _events.metrics(
        ("inc", "fl_client_rounds_total", 1),
        ("set", "fl_client_train_loss", loss),
        ("inc", "fl_client_samples_total", samples),
        ("observe", "fl_client_fit_duration_seconds", duration),
    )
    _log("info", f"fit done: {samples} samples, train_loss={loss:.4f}, {duration:.3f}s",
         round_, client_id, event="fit_done", train_loss=loss, samples=samples)

    content = RecordDict({
        "arrays": ArrayRecord(numpy_ndarrays=new_params),
        "metrics": MetricRecord({"num-examples": samples, "train_loss": loss}),
        "client": ConfigRecord({"client-id": client_id}),
    })
    return Message(content=content, reply_to=msg)


@app.evaluate()
def evaluate(msg: Message, context: Context) -> Message:
    index, total, client_id = _identity(context)
    round_ = int(msg.content["config"].get("server-round", 0))
    data = load_partition(index, total)
    params = msg.content["arrays"].to_numpy_ndarrays()
    loss, accuracy = evaluate_model(params, data.x_test, data.y_test)

    _events.metric("set", "fl_client_accuracy", accuracy)
    _log("info", f"evaluate done: eval_loss={loss:.4f}, accuracy={accuracy:.4f}",
         round_, client_id, event="evaluate_done", eval_loss=loss, accuracy=accuracy)

    content = RecordDict({
        "metrics": MetricRecord({"num-examples": len(data.y_test), "eval_loss": loss, "accuracy": accuracy}),
        "client": ConfigRecord({"client-id": client_id}),
    })
    return Message(content=content, reply_to=msg)


@app.query("shutdown")
def shutdown(msg: Message, context: Context) -> Message:
    _, _, client_id = _identity(context)
    status = "completed"
    if "status" in msg.content.config_records:
        status = str(msg.content["status"].get("status", status))
    _log("info", f"server finished training (status={status}); shutting down", None, client_id,
         event="shutdown_requested")
    _events.control("shutdown", status=status)
    return Message(content=RecordDict(), reply_to=msg)

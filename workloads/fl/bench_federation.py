"""Benchmark: one real federation on loopback (server + 2 clients, 3 rounds of FedAvg).

Prints where the time goes, from the processes' own JSON logs:

    workloads/fl/.venv/bin/python workloads/fl/bench_federation.py [--runs N]

- startup: first process started -> the ServerApp's round 1 starts (SuperLink and SuperNodes
  boot, the run is submitted, SuperExec launches the ServerApp);
- rounds: the ServerApp's own round durations;
- per message on a client: the SuperNode received it -> the ClientApp finished its work
  (Flower 1.41 starts one `flwr-clientapp` process per message; importing Flower dominates) and
  the reply was sent -> the next message arrived (the SuperNode polls every 3 s when idle);
- total: until the server reported the end of training;
- exited: until the clients had been told to stop and every process had exited.

A figure, not a test: nothing here fails when the machine is slow.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "tests"))

import conftest  # noqa: E402  (the tests' federation driver: free ports, bounded, torn down)


def _ts(record: dict) -> float:
    return datetime.fromisoformat(record["timestamp"].replace("Z", "+00:00")).timestamp()


def _client_latencies(records: list[dict]) -> tuple[list[float], list[float]]:
    """(received -> ClientApp done, reply sent -> next message received) per message."""
    work, idle = [], []
    received = sent = None
    for record in records:
        message = record["message"]
        if message.startswith("Receiving:"):
            if sent is not None:
                idle.append(_ts(record) - sent)
            received, sent = _ts(record), None
        elif record.get("component") == "clientapp" and received is not None:
            work.append(_ts(record) - received)
            received = None
        elif message == "Sent successfully":
            sent = _ts(record)
    return work, idle


def run_once(workdir: Path) -> dict[str, float | list[float]]:
    started = time.time()
    fed = conftest.start_federation(workdir)
    conftest.drive_federations({"ok": fed})
    if fed.server_final_state != "completed":
        raise SystemExit("federation did not complete:\n" + conftest.dump_logs(fed))
    server = fed.server.records()
    round_start = next(_ts(r) for r in server if r.get("component") == "serverapp" and r.get("round") == 1)
    ended = next(_ts(r) for r in server if r.get("event") == "training_completed")
    rounds = [float(r["duration_seconds"]) for r in server if r.get("event") == "round_completed"]
    work, idle = [], []
    for client in fed.clients:
        w, i = _client_latencies(client.records())
        work += w
        idle += i
    return {"startup": round_start - started, "rounds": rounds, "work": work, "idle": idle,
            "total": ended - started, "exited": time.time() - started}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="federations to run one after the other")
    args = parser.parse_args()
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory(prefix="fl-bench-") as tmp:
            r = run_once(Path(tmp))
        rounds = ", ".join(f"{d:.1f}" for d in r["rounds"])
        print(f"run {run}: total {r['total']:.1f} s (all exited {r['exited']:.1f} s) | startup {r['startup']:.1f} s | rounds [{rounds}] s")
        if r["work"]:
            print(f"  per client message: ClientApp process {statistics.mean(r['work']):.1f} s "
                  f"(max {max(r['work']):.1f}), SuperNode idle poll {statistics.mean(r['idle'] or [0]):.1f} s")


if __name__ == "__main__":
    main()

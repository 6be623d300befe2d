"""Tiny HTTP server for /metrics, /healthz and /readyz."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST

Check = Callable[[], tuple[bool, str]]


class _V6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


class ObservabilityServer:
    def __init__(self, host: str, port: int, exposition: Callable[[], bytes], healthz: Check, readyz: Check):
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802
                path = self.path.split("?", 1)[0]
                if path == "/metrics":
                    self._send(200, outer.exposition(), CONTENT_TYPE_LATEST)
                elif path in ("/healthz", "/readyz"):
                    ok, detail = (outer.healthz if path == "/healthz" else outer.readyz)()
                    body = json.dumps({"status": "ok" if ok else "unavailable", "detail": detail}).encode()
                    self._send(200 if ok else 503, body, "application/json")
                else:
                    self._send(404, b'{"status":"not found"}', "application/json")

            do_HEAD = do_GET

            def log_message(self, format: str, *args) -> None:  # pylint: disable=redefined-builtin
                return  # scrapes and probes are not logged

        self.exposition = exposition
        self.healthz = healthz
        self.readyz = readyz
        server_cls = _V6Server if ":" in host else ThreadingHTTPServer
        self.httpd = server_cls((host.strip("[]"), port), Handler)
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="http", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

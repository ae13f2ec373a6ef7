"""A real HTTP server on 127.0.0.1 in a thread, for tests that talk to the outside world
(webhook receivers, an OSDI server to sync from). ``answers`` is a queue of (status, body)
to reply with (the last one repeats); ``routes`` maps a path (with query) to (status, body);
every request is recorded."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    answers: list[tuple[int, str]] = field(default_factory=lambda: [(200, "ok")])
    routes: dict[str, tuple[int, str]] = field(default_factory=dict)
    delay: float = 0.0
    server: ThreadingHTTPServer | None = None

    def answer(self, path: str) -> tuple[int, str]:
        if path in self.routes:
            return self.routes[path]
        if path.split("?")[0] in self.routes:  # a filter the fixture does not care about
            return self.routes[path.split("?")[0]]
        if self.routes:
            return 404, "{}"
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def start() -> Receiver:
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def _handle(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            receiver.requests.append(
                Recorded(self.command, self.path, dict(self.headers.items()), body)
            )
            if receiver.delay:
                threading.Event().wait(receiver.delay)
            status, text = receiver.answer(self.path)
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _handle

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    receiver.server = server
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}"
    return receiver

"""A mail server on loopback that accepts every message and keeps none.

Reports send their notifications in the request, after commit (vbe.notifications.outbox). A real
installation has a mail server that answers; this one stands in for it, so the posts of the benchmark
pay for a delivery as they would in production, and no mail leaves the machine.
"""

from __future__ import annotations

import socketserver
import threading


class _Session(socketserver.StreamRequestHandler):
    timeout = 30

    def _say(self, line: str) -> None:
        self.wfile.write(line.encode("ascii") + b"\r\n")

    def handle(self) -> None:
        self._say("220 bench.invalid ESMTP")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line.strip().split(b" ", 1)[0].upper()
            if verb == b"EHLO":
                self.wfile.write(b"250-bench.invalid\r\n250 8BITMIME\r\n")
            elif verb == b"DATA":
                self._say("354 end with <CRLF>.<CRLF>")
                while True:
                    data = self.rfile.readline()
                    if not data or data == b".\r\n":
                        break
                self.server.accepted += 1  # type: ignore[attr-defined]
                self._say("250 accepted")
            elif verb == b"QUIT":
                self._say("221 bye")
                return
            else:  # HELO, MAIL, RCPT, RSET, NOOP
                self._say("250 ok")


class SmtpSink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Session)
        self.accepted = 0
        self._thread = threading.Thread(target=self.serve_forever, name="smtp-sink", daemon=True)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def __enter__(self) -> SmtpSink:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()

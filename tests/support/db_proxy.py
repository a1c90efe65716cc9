"""A TCP relay between the portal and PostgreSQL that a test can cut, as if the database went away.

The portal (a server process, or this process) connects to ``proxy.port`` on the loopback interface
instead of to PostgreSQL. The test then says when the database "stops":

- ``stop()``: every open connection is cut in both directions, and new ones are closed as soon as they
  are accepted, as a database that is down would.
- ``stop_after(pattern)``: the same, at a chosen moment of a write: once a connection has sent a
  statement holding ``pattern`` (e.g. the report's ``INSERT``), its next message is never delivered and
  every connection is cut. PostgreSQL then rolls the open transaction back, as it does when a
  connection is lost.
- ``stop_at(pattern)``: the same, with the message holding ``pattern`` itself kept back (e.g. the
  ``COMMIT``).
- ``start()``: connections are relayed again ("the database is back").

Loopback only, threads only, no dependency: the relay reads the bytes, it does not speak the protocol.
"""

from __future__ import annotations

import contextlib
import socket
import threading


class DatabaseProxy:
    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self._upstream = (upstream_host, upstream_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._up = True
        self._closed = False
        self._pattern, self._after = b"", True
        self.cut = threading.Event()  # set each time connections are cut
        self.withheld = b""  # the message stop_after() or stop_at() kept from the database
        self.accepted = 0  # connections relayed to the database so far
        threading.Thread(target=self._accept, name="db-proxy-accept", daemon=True).start()

    # --- What a test calls -------------------------------------------------------------------------

    def stop(self) -> None:
        with self._lock:
            self._up, self._pattern = False, b""
            doomed, self._open = self._open, set()
        for sock in doomed:
            _close(sock)
        self.cut.set()

    def stop_after(self, pattern: bytes) -> None:
        """Stops the database at the first message a connection sends after one holding ``pattern``."""
        self._arm(pattern, after=True)

    def stop_at(self, pattern: bytes) -> None:
        """Stops the database at the first message holding ``pattern``, before it arrives."""
        self._arm(pattern, after=False)

    def _arm(self, pattern: bytes, *, after: bool) -> None:
        if not pattern:
            raise ValueError("an empty pattern would match every message")
        with self._lock:
            self._pattern, self._after = pattern, after
        self.cut.clear()
        self.withheld = b""

    def start(self) -> None:
        with self._lock:
            self._up, self._pattern = True, b""
        self.cut.clear()

    def close(self) -> None:
        self._closed = True
        self.stop()
        _close(self._listener)

    # --- The relay ---------------------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:  # the listener was closed
                return
            with self._lock:
                up = self._up
            if not up:
                _close(client)
                continue
            try:
                server = socket.create_connection(self._upstream, timeout=5)
                server.settimeout(None)
            except OSError:
                _close(client)
                continue
            with self._lock:
                self._open |= {client, server}
                self.accepted += 1
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, from_client: bool) -> None:
        seen = b""  # the end of what came before, so a pattern split between two reads is still found
        matched = False
        try:
            while data := source.recv(65536):
                if from_client:
                    with self._lock:
                        pattern, after = self._pattern, self._after
                    holds = bool(pattern) and pattern in seen + data
                    if pattern and (matched or (holds and not after)):
                        self.withheld = data
                        self.stop()  # this message never reaches the database
                        return
                    matched = matched or holds
                    seen = (seen + data)[-max(len(pattern), 1) :]
                target.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self._open -= {source, target}
            _close(source)
            _close(target)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed by the other side
        sock.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked in recv() or accept() on it
    sock.close()

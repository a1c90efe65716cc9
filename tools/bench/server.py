"""The portal as production serves it: granian, WSGI, 2 workers of 1 blocking thread (README, "Drift")."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tools.bench.client import free_port, wait_for

WORKERS = 2
BLOCKING_THREADS = 1


class ServerError(RuntimeError):
    pass


class Server:
    """``with Server(env, log_path) as server:`` serves on ``server.port`` until the block ends."""

    def __init__(self, env: dict[str, str], log_path: Path, root: Path) -> None:
        self.env, self.log_path, self.root = env, log_path, root
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        granian = Path(sys.executable).with_name("granian")
        return [
            str(granian),
            "--interface", "wsgi",
            "--workers", str(WORKERS),
            "--blocking-threads", str(BLOCKING_THREADS),
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "config.wsgi:application",
        ]  # fmt: skip

    def __enter__(self) -> Server:
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child keeps writing to it
        try:
            # A session of its own, so stopping it reaches the workers too (their group, by its id).
            self.process = subprocess.Popen(  # noqa: S603 - granian of this virtualenv, fixed arguments
                self.command(),
                cwd=self.root,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            log.close()
        try:
            wait_for("127.0.0.1", self.port, "/halsa/", timeout=90, alive=lambda: self.process.poll() is None)
        except (TimeoutError, RuntimeError) as exc:
            self.stop()
            raise ServerError(
                f"granian did not come up: {exc}. Last lines of {self.log_path}:\n{self.log_tail()}"
            ) from exc
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        except ProcessLookupError:
            pass

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

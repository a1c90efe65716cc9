"""A bounded mixed load on loopback: simulated users in threads, each with its own connection and
sessions, requesting without pause (a closed loop), so throughput is what the server manages.

The same client runs the floor page's load, so the two throughputs are comparable. The client's own
cost is reported too: its CPU time per request and the share of one core it used (the machine's
cores are shared with the server).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from tools.bench import stats
from tools.bench.client import Client, Link
from tools.bench.pages import Page, measure


@dataclass
class User:
    """One simulated user: the pages it reads and writes, each with the client (session) to use."""

    reads: list[tuple[Page, Client]]
    writes: list[tuple[Page, Client]] = field(default_factory=list)

    def close(self) -> None:
        for _page, client in (*self.reads, *self.writes):
            client.close()


@dataclass
class _Record:
    end: float
    seconds: float | None
    kind: str  # "read", "form" or "write"
    error: str


def run(users: list[User], *, duration: float, write_share: float, seed: int) -> dict:
    """Every user requests until ``duration`` has passed; requests finished within it count."""
    records: list[list[_Record]] = [[] for _ in users]
    start_gate = threading.Barrier(len(users) + 1)
    window: dict[str, float] = {}
    stop = threading.Event()  # set when the run is interrupted, so no user goes on alone

    def work(index: int, user: User) -> None:
        rng = random.Random(seed * 1000 + index)
        mine = records[index]
        start_gate.wait()
        deadline = window["end"]
        while time.perf_counter() < deadline and not stop.is_set():
            if user.writes and rng.random() < write_share:
                page, client = rng.choice(user.writes)
                sample = measure(page, client)
                if sample.form is not None:  # the form's GET is a request the server served
                    mine.append(_Record(time.perf_counter(), sample.form.seconds, "form", ""))
                mine.append(_Record(time.perf_counter(), sample.seconds, "write", sample.error))
            else:
                page, client = rng.choice(user.reads)
                sample = measure(page, client)
                mine.append(_Record(time.perf_counter(), sample.seconds, "read", sample.error))

    threads = [threading.Thread(target=work, args=(i, u), name=f"user-{i}", daemon=True) for i, u in enumerate(users)]
    for thread in threads:
        thread.start()
    cpu_start = time.process_time()
    window["start"] = time.perf_counter()
    window["end"] = window["start"] + duration
    start_gate.wait()
    try:
        for thread in threads:
            while thread.is_alive():  # short waits, so a signal is acted on at once
                thread.join(0.5)
    finally:
        stop.set()
    finished = time.perf_counter()
    cpu = time.process_time() - cpu_start
    return summarise([r for rs in records for r in rs], window["start"], window["end"], finished, cpu)


def summarise(records: list[_Record], start: float, end: float, finished: float, cpu_seconds: float) -> dict:
    inside = [r for r in records if r.end <= end]
    duration = end - start
    errors = [r for r in records if r.error]  # after the window too: nothing may fail
    seconds = [r.seconds for r in inside if r.seconds is not None and not r.error]

    def latency(values: list[float]) -> dict[str, float | None]:
        return {f"p{p}_ms": None if not values else round(stats.percentile(values, p) * 1000, 2) for p in (50, 95, 99)}

    by_kind = {}
    for kind in ("read", "form", "write"):
        of_kind = [r for r in inside if r.kind == kind]
        by_kind[kind] = {
            "requests": len(of_kind),
            **latency([r.seconds for r in of_kind if r.seconds is not None and not r.error]),
        }
    messages: dict[str, int] = {}
    for record in errors:
        messages[record.error] = messages.get(record.error, 0) + 1
    return {
        "duration_s": round(duration, 2),
        "drain_s": round(finished - end, 2),
        "requests": len(inside),
        "throughput_rps": round(len(inside) / duration, 2) if duration > 0 else None,
        **latency(seconds),
        "errors": len(errors),
        "error_messages": dict(sorted(messages.items(), key=lambda kv: -kv[1])[:10]),
        "by_kind": by_kind,
        "client_cpu_s": round(cpu_seconds, 2),
        "client_cpu_per_request_ms": round(cpu_seconds * 1000 / len(records), 3) if records else None,
        "client_core_share": round(cpu_seconds / (finished - start), 3) if finished > start else None,
    }


def build_users(
    count: int,
    pages: list[Page],
    address: tuple[str, int],
    cookies_for: Callable[[int, str | None], dict[str, str]],
    *,
    anonymous_floor: bool = False,
) -> list[User]:
    """``count`` users, each with one connection. Mixed: every user reads every key page in the load
    (each as its role, with sessions of its own) and writes the report forms. Floor: every user reads
    only the floor page, anonymously."""
    host, port = address
    users = []
    for index in range(count):
        link = Link(host, port)
        if anonymous_floor:
            floor = next(p for p in pages if p.kind == "floor")
            users.append(User(reads=[(floor, Client(host, port, link=link))]))
            continue
        clients: dict[str | None, Client] = {}
        for page in pages:
            if page.in_load and page.kind in {"page", "write"} and page.role not in clients:
                clients[page.role] = Client(host, port, cookies=cookies_for(index, page.role), link=link)
        reads = [(p, clients[p.role]) for p in pages if p.in_load and p.kind == "page"]
        writes = [(p, clients[p.role]) for p in pages if p.in_load and p.kind == "write"]
        users.append(User(reads=reads, writes=writes))
    return users

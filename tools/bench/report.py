"""The run's figures as a table and as JSON, and the comparison of two runs."""

from __future__ import annotations

import json
from pathlib import Path

from tools.bench import stats


def page_figures(samples: list[float], queries: list[int]) -> dict:
    figures = stats.summarise(samples)
    figures["queries"] = int(stats.median(queries)) if queries else None
    figures["queries_max"] = max(queries) if queries else None
    return figures


def summary_rows(result: dict) -> list[dict]:
    """One row per page over the measured scales: medians, ratio to the floor of the same scale, growth
    from the first to the last scale, queries, and the bars it misses (judged at the last scale).

    Growth is the change of the ratio to the floor (scale 10 against scale 1): each scale's phase has
    its own floor, so a machine busier during one phase does not pass for growth. The raw ratio of the
    medians is kept as ``growth_raw``.
    """
    scales = [s for s in result["scales"] if not s.get("skipped")]
    if not scales:
        return []
    first, last = scales[0], scales[-1]
    rows = []
    for key in last["pages"] or first["pages"]:
        a, b = first["pages"].get(key), last["pages"].get(key)
        page = b or a
        row = {"key": key, "label": page["label"], "role": page["role"] or "–", "kind": page["kind"], "scales": {}}
        for scale in scales:
            figures = scale["pages"].get(key)
            if figures is None:
                continue
            row["scales"][str(scale["scale"])] = {
                "median_ms": figures["median_ms"],
                "floor_ratio": None
                if page["kind"] == "document"  # a document's bar is in seconds, not a multiple of a page
                else _round(stats.ratio(figures["median_ms"], scale["floor_median_ms"])),
                "queries": figures["queries"],
                "errors": figures["errors"],
            }
        row["growth"] = row["growth_raw"] = None
        if first is not last and a and b:
            row["growth_raw"] = _round(stats.ratio(b["median_ms"], a["median_ms"]))
            row["growth"] = _round(
                stats.ratio(
                    stats.ratio(b["median_ms"], last["floor_median_ms"]),
                    stats.ratio(a["median_ms"], first["floor_median_ms"]),
                )
            )
        at_last = row["scales"].get(str(last["scale"]), {})
        queries = at_last.get("queries")
        if page["kind"] == "document":
            flags = []
            limit_ms = (page.get("limit_s") or 0) * 1000
            if limit_ms and (at_last.get("median_ms") or 0) > limit_ms:
                flags.append(f">{page['limit_s']:g} s")
        else:
            flags = stats.page_flags(
                floor_ratio=at_last.get("floor_ratio"),
                growth=row["growth"],
                queries=queries,
                bars=page["kind"] != "floor",
            )
        errors = sum(s["errors"] for s in row["scales"].values())
        if errors:
            flags.append(f"{errors} errors")
        row["flags"] = flags
        rows.append(row)
    return rows


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _fmt(value: float | None, pattern: str = "{:.1f}") -> str:
    return "–" if value is None else pattern.format(value)


def table(result: dict) -> str:
    scales = [s for s in result["scales"] if not s.get("skipped")]
    rows = result.get("summary") or summary_rows(result)
    if not rows:
        return "(nothing measured)"
    names = [str(s["scale"]) for s in scales]
    header = f"{'page':<34} {'role':<20} {'queries':>9}"
    for name in names:
        header += f" {'s' + name + ' ms':>9} {'×floor':>7}"
    if len(names) > 1:
        header += f" {'growth':>7}"
    header += "  over the bars"
    lines = [header, "-" * len(header)]
    for row in rows:
        queries = [row["scales"].get(n, {}).get("queries") for n in names]
        shown = [q for q in queries if q is not None]
        q_text = "–" if not shown else (str(shown[0]) if len(set(shown)) == 1 else "→".join(map(str, shown)))
        line = f"{row['label'][:34]:<34} {row['role'][:20]:<20} {q_text:>9}"
        for name in names:
            cell = row["scales"].get(name, {})
            line += f" {_fmt(cell.get('median_ms')):>9} {_fmt(cell.get('floor_ratio'), '{:.1f}×'):>7}"
        if len(names) > 1:
            line += f" {_fmt(row['growth'], '{:.2f}×'):>7}"
        line += "  " + ", ".join(row["flags"])
        lines.append(line.rstrip())
    return "\n".join(lines)


def load_text(load: dict | None) -> str:
    if not load:
        return "Mixed load: not run."
    mixed, floor = load["mixed"], load["floor"]
    share = stats.ratio(mixed["throughput_rps"], floor["throughput_rps"])
    flags = stats.throughput_flags(share_of_floor=share, errors=mixed["errors"] + floor["errors"])
    kinds = mixed["by_kind"]
    lines = [
        f"Mixed load at scale {load['scale']}: {load['users']} users, {mixed['duration_s']:.0f} s, "
        f"{load['write_share']:.0%} of choices a report (GET the form, POST it), loopback",
        f"  floor page   {floor['throughput_rps']:>8.1f} req/s   p50 {_fmt(floor['p50_ms'])} ms  p95 "
        f"{_fmt(floor['p95_ms'])} ms  p99 {_fmt(floor['p99_ms'])} ms   errors {floor['errors']}",
        f"  mixed        {mixed['throughput_rps']:>8.1f} req/s   p50 {_fmt(mixed['p50_ms'])} ms  p95 "
        f"{_fmt(mixed['p95_ms'])} ms  p99 {_fmt(mixed['p99_ms'])} ms   errors {mixed['errors']}   "
        f"= {_fmt(share and share * 100, '{:.0f}')}% of the floor's throughput (bar ≥ {stats.THROUGHPUT_BAR:.0%})",
        f"    reads {kinds['read']['requests']} (p50 {_fmt(kinds['read']['p50_ms'])} / p95 {_fmt(kinds['read']['p95_ms'])} ms),"
        f" report forms {kinds['form']['requests']}, report posts {kinds['write']['requests']}"
        f" (p50 {_fmt(kinds['write']['p50_ms'])} / p95 {_fmt(kinds['write']['p95_ms'])} ms)",
        f"  client cost: {_fmt(mixed['client_cpu_per_request_ms'], '{:.2f}')} ms CPU per request, "
        f"{_fmt((mixed['client_core_share'] or 0) * 100, '{:.0f}')}% of one core (floor run: "
        f"{_fmt(floor['client_cpu_per_request_ms'], '{:.2f}')} ms, {_fmt((floor['client_core_share'] or 0) * 100, '{:.0f}')}%)",
    ]
    for message, count in mixed["error_messages"].items():
        lines.append(f"  error ×{count}: {message}")
    if flags:
        lines.append("  over the bars: " + ", ".join(flags))
    return "\n".join(lines)


def text(result: dict) -> str:
    parts = [f"VBE-portalen benchmark {result['started']} ({result['git']})"]
    parts.append(
        f"Server: granian WSGI, {result['server']['workers']} workers × {result['server']['blocking_threads']} "
        f"blocking thread, production settings, CONN_MAX_AGE {result['server']['conn_max_age']}; PostgreSQL "
        f"{result['database']['server_version']} ({result['database']['origin']})"
    )
    parts.append(
        f"Medians of {result['config']['rounds']} interleaved rounds (documents: {result['config']['doc_rounds']}); "
        f"×floor = median / the floor page's median in the same phase; bars: ≤ {stats.FLOOR_BAR:g}× floor and "
        f"≤ {stats.GROWTH_BAR:g}× growth at the last scale, ≤ {stats.QUERY_BAR} queries"
    )
    for scale in result["scales"]:
        if scale.get("skipped"):
            parts.append(f"Scale {scale['scale']}: skipped ({scale['skipped']})")
        else:
            counts = ", ".join(f"{k.split('.')[-1]} {v:,}" for k, v in scale["counts"].items())
            parts.append(f"Scale {scale['scale']} data: {counts}")
    parts += ["", table(result), "", load_text(result.get("load"))]
    if result.get("documents"):
        parts += ["", "Documents (manage.py bench, last scale):", result["documents"].rstrip()]
    if result.get("import"):
        from tools.bench.import_bench import text as import_text

        parts += ["", import_text(result["import"])]
    if result.get("problems"):
        parts += ["", "Problems:"] + [f"  - {p}" for p in result["problems"]]
    return "\n".join(parts)


def write(result: dict, directory: Path, stamp: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"bench-{stamp}.json"
    payload = json.dumps(result, indent=2, ensure_ascii=False)
    path.write_text(payload, encoding="utf-8")
    (directory / "latest.json").write_text(payload, encoding="utf-8")
    return path


def compare(a: dict, b: dict) -> str:
    """The ratio to the floor of each page at the last scale of each run, and the mixed load, side by side."""

    def at_last(result: dict) -> tuple[str, dict]:
        rows = result.get("summary") or summary_rows(result)
        scales = [str(s["scale"]) for s in result["scales"] if not s.get("skipped")]
        last = scales[-1] if scales else ""
        return last, {r["key"]: (r, r["scales"].get(last, {})) for r in rows}

    scale_a, rows_a = at_last(a)
    scale_b, rows_b = at_last(b)
    header = f"{'page':<34} {'A s' + scale_a + ' ×floor':>14} {'B s' + scale_b + ' ×floor':>14} {'B/A':>6}"
    lines = [f"A: {a['started']} ({a['git']})", f"B: {b['started']} ({b['git']})", "", header, "-" * len(header)]
    for key in list(rows_a) + [k for k in rows_b if k not in rows_a]:
        row = (rows_a.get(key) or rows_b.get(key))[0]
        ra = rows_a.get(key, (None, {}))[1].get("floor_ratio")
        rb = rows_b.get(key, (None, {}))[1].get("floor_ratio")
        change = stats.ratio(rb, ra)
        lines.append(
            f"{row['label'][:34]:<34} {_fmt(ra, '{:.1f}×'):>14} {_fmt(rb, '{:.1f}×'):>14} {_fmt(change, '{:.2f}'):>6}"
        )
    for name, result in (("A", a), ("B", b)):
        load = result.get("load")
        if load:
            share = stats.ratio(load["mixed"]["throughput_rps"], load["floor"]["throughput_rps"])
            lines.append(
                f"{name}: mixed load {load['mixed']['throughput_rps']} req/s = {_fmt(share and share * 100, '{:.0f}')}% "
                f"of floor, p95 {load['mixed']['p95_ms']} ms, errors {load['mixed']['errors']}"
            )
    return "\n".join(lines)

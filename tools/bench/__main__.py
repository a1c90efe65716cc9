"""``python -m tools.bench`` runs the benchmark; ``python -m tools.bench compare A.json B.json`` compares two runs."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    if argv[:1] == ["compare"]:
        if len(argv) != 3:
            print("usage: python -m tools.bench compare A.json B.json", file=sys.stderr)
            return 2
        from tools.bench.report import compare

        try:
            a, b = (json.loads(Path(p).read_text(encoding="utf-8")) for p in argv[1:])
        except (OSError, ValueError) as exc:
            print(f"bench compare: {exc}", file=sys.stderr)
            return 2
        print(compare(a, b))
        return 0
    if argv[:1] not in ([], ["run"]):
        print("usage: python -m tools.bench [run] | compare A.json B.json", file=sys.stderr)
        return 2
    from tools.bench.run import main as run_main

    return run_main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The public search's cache misses of two code trees side by side, on one database made by
generate_decisions.py (kept, not dropped: pass its name), both served by gunicorn in turn from their own tree,
rounds alternating so that a change in the machine's load falls on both alike. For comparing a change to the
search (disclosure/search.py) with the code before it, minutes apart being too noisy on a shared machine.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/_search_compare.py \
        --database bench_wuding_1234 --before /tmp/checkout-before [--rounds 3]

Every request is a miss (a unique, ignored query parameter); the cache is the workers' local memory.
Prints, per tree, the medians of 2-character, 3+-character, party and 文号 searches and of the trivial view, with
their ratio to that tree's trivial view.
"""

import argparse
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import public_pages_bench as ppb  # noqa: E402

CASES = {
    "search 2-char violation": [f"/publications/?violation={quote(t)}" for t in ppb.SHORT_TERMS],
    "search 3+-char violation": [f"/publications/?violation={quote(t)}" for t in ppb.LONG_TERMS],
    "search party name": [f"/publications/?party={quote(t)}" for t in ppb.PARTY_TERMS],
}


def serve_tree(root: Path, db_url: str, tmp: Path):
    """public_pages_bench.serve() from another tree (its own code, this tree's bench settings)."""
    original = ppb.ROOT
    ppb.ROOT = root
    try:
        return ppb.serve(db_url, "", 3, tmp)
    finally:
        ppb.ROOT = original


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--before", required=True, type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    server = os.environ.get("DATABASE_URL", ppb.generate_decisions.DEFAULT_SERVER).rsplit("/", 1)[0]
    db_url = f"{server}/{args.database}"
    trees = {"BEFORE": args.before.resolve(), "AFTER": HERE.parent}
    times: dict = {tree: {label: [] for label in [*CASES, "trivial view"]} for tree in trees}
    n = 0
    tmp = Path(tempfile.mkdtemp(prefix="wuding-search-"))
    for round_ in range(args.rounds):
        for tree, root in trees.items() if round_ % 2 == 0 else reversed(trees.items()):
            process, port = serve_tree(root, db_url, tmp)
            try:
                for label, paths in [*CASES.items(), ("trivial view", ["/bench/trivial/"] * 10)]:
                    for path in paths:
                        n += 1
                        ppb.get(port, f"{path}{'&' if '?' in path else '?'}_r={n}")  # warm this worker
                        began = time.perf_counter()
                        status, _ = ppb.get(port, f"{path}{'&' if '?' in path else '?'}_r={n}x")
                        times[tree][label].append((time.perf_counter() - began) * 1000)
                        if status != 200:
                            raise RuntimeError(f"{tree} {path} answered {status}")
            finally:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=20)
    print(
        f"cache misses on {args.database}, {args.rounds} rounds, medians (spread) and ratio to the tree's trivial view:"
    )
    for tree in trees:
        base = statistics.median(times[tree]["trivial view"])
        print(f"  {tree}")
        for label, values in times[tree].items():
            median = statistics.median(values)
            print(
                f"    {label:28s} {median:7.1f} ms ({min(values):.1f}–{max(values):.1f})  ratio {median / base:5.1f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Run every benchmark in bench/ one after another and print their figures.

Each bench/<name>.py is a standalone script that sets Django up itself in a throwaway database and prints
its own figures; this runner only finds them, runs them with this Python and reports which failed.

    .venv/bin/python bench/run_all.py [name ...]      (or: make bench)
"""

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


# Data generators the benches import: run only when named (public_pages_bench.py and supervision_bench.py generate their own data).
GENERATORS = {"generate_decisions", "generate_cases"}


def bench_scripts(names: list[str]) -> list[Path]:
    scripts = sorted(
        p for p in HERE.glob("*.py") if p.name != Path(__file__).name and not p.name.startswith("_")
    )
    if not names:
        return [p for p in scripts if p.stem not in GENERATORS]
    if names:
        wanted = {n.removesuffix(".py") for n in names}
        unknown = wanted - {p.stem for p in scripts}
        if unknown:
            raise SystemExit(
                f"no such bench: {', '.join(sorted(unknown))} (have: {', '.join(p.stem for p in scripts)})"
            )
        scripts = [p for p in scripts if p.stem in wanted]
    return scripts


def main(argv: list[str]) -> int:
    failed = []
    for script in bench_scripts(argv):
        print(f"== {script.stem}", flush=True)
        began = time.perf_counter()
        result = subprocess.run([sys.executable, str(script)], cwd=HERE.parent)
        print(f"   ({time.perf_counter() - began:.1f} s)", flush=True)
        if result.returncode != 0:
            failed.append(script.stem)
    if failed:
        print(f"FAILED: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

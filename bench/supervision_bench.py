"""Staff and supervision pages at a bureau's and a province's scale: generated cases (generate_cases.py) in a
throwaway PostgreSQL database, served by gunicorn on 127.0.0.1 — against a trivial logged-in view
(/bench/trivial-staff/, login_required, same gunicorn and middleware) measured in the same run.

Prints, for each case count:
- medians (one client, one request per page per round, the pages taking turns so that a change in the
  machine's load falls on all alike) of the supervision dashboard, the overdue list, the statistics page,
  the staff case list and a case's workspace, each with its spread (min–max over the rounds) and its ratio
  to the trivial logged-in view's median (goal: dashboard, overdue list, statistics ≤ 10 at 5,000 cases);
- throughput under wrk (10 connections, one session each: ten officers) of the case list and the workspace
  against the trivial logged-in view (goal ≥ 0.4), with latency percentiles.
With two counts (--counts 5000,50000) it also prints each supervision page's growth (goal ≤ 2×).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/supervision_bench.py \
        [--counts 5000,50000] [--rounds 7] [--seconds 5] [--workers 3] [--keep] [--database NAME]

--keep leaves each generated database in place (its name is printed); --database NAME measures such a kept
database as it is (no generation, no rebuild, not dropped), so that one generation serves many runs and two
trees (a before and an after) can be measured on the same rows.
"""

import argparse
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _wrk  # noqa: E402
import generate_cases  # noqa: E402
import generate_decisions  # noqa: E402
from public_pages_bench import redis_url, serve  # noqa: E402

SUPERVISION = {
    "dashboard": "/staff/supervision/",
    "overdue list": "/staff/supervision/dashboard/overdue/",
    "statistics": "/staff/supervision/statistics/",
}
BASELINE = "/bench/trivial-staff/"


def timed(port: int, path: str, cookie: str) -> float:
    import http.client

    began = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    conn.request("GET", path, headers={"Host": "127.0.0.1", "Cookie": cookie})
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"{path} answered {response.status} {response.getheader('Location') or ''}")
    return (time.perf_counter() - began) * 1000


def session_cookie(user) -> str:
    """A signed-in session of `user`, made the way a login makes it (login signals included)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def measure(count: int, args, cache_url: str, tmp: Path) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from wuding_enforcement.cases.models import Case

    if args.database:
        original, name = None, args.database
        connection.settings_dict["NAME"] = name
        figures = kept_figures()
        count = figures["count"]
        print(f"kept database {name}: {count} cases", flush=True)
    else:
        original, name = generate_decisions.create_database()
    process = None
    try:
        if original is not None:
            figures = generate_cases.generate(count)
            print(f"generated {count} cases in {figures['seconds']:.1f} s ({name})", flush=True)
            try:
                began = time.perf_counter()
                call_command("rebuild_deadlines", verbosity=0)
                print(f"rebuild_deadlines: {time.perf_counter() - began:.1f} s", flush=True)
            except Exception as exc:  # noqa: BLE001 - before the deadline table exists (the BEFORE run)
                print(f"rebuild_deadlines not run ({type(exc).__name__})", flush=True)
            try:  # the statistics' stored facts (supervision/records_store.py), after the deadline table
                began = time.perf_counter()
                call_command("rebuild_record_facts", verbosity=0)
                print(f"rebuild_record_facts: {time.perf_counter() - began:.1f} s", flush=True)
            except Exception as exc:  # noqa: BLE001 - a tree without them (a BEFORE run)
                print(f"rebuild_record_facts not run ({type(exc).__name__})", flush=True)
            # The deadline table was written after the generator's own VACUUM ANALYZE: without fresh statistics
            # (this server runs without autovacuum, a production one would have analysed the table by now) the
            # planner takes ~5,900 open clocks for ~100 and joins the units first (37 ms for the overdue list's
            # page of rows at 50k instead of 1 ms).
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        from django.core.cache import cache

        cache.clear()  # pages cached by an earlier run (another database, another tree) must not be served
        if args.generate_only:
            return {}
        head_cookie = session_cookie(figures["head"])
        officers = [people[1 + k % 5] for k, people in enumerate(list(figures["officers"].values())[:10])]
        staff_cookies, workspaces = [], []
        for person in officers:
            staff_cookies.append(session_cookie(person))
            ids = list(
                Case.objects.filter(
                    assignments__officer=person, stage__in=["investigating", "filed"]
                ).values_list("pk", flat=True)[:5]
            )
            workspaces.append([f"/staff/recording/cases/{pk}/" for pk in ids] or ["/staff/cases/"])
        db = connection.settings_dict
        db_url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
        connection.close()
        process, port = serve(db_url, cache_url, args.workers, tmp)

        pages = {
            "trivial logged-in": (BASELINE, head_cookie),
            **{label: (path, head_cookie) for label, path in SUPERVISION.items()},
            "case list (officer)": ("/staff/cases/", staff_cookies[0]),
            "workspace (officer)": (workspaces[0][0], staff_cookies[0]),
        }
        for path, cookie in pages.values():  # warm every worker's imports and templates
            for _ in range(args.workers):
                timed(port, path, cookie)
        # wrk measures the steady state, as the public bench's cached rounds do: every page it will cycle through
        # is requested once first (each officer's case list and workspaces; the staff page cache keeps them per
        # user until something changes).
        for cookie, paths in zip(staff_cookies, workspaces, strict=True):
            for path in ["/staff/cases/", *paths]:
                timed(port, path, cookie)
        times: dict[str, list[float]] = {label: [] for label in pages}
        for round_ in range(args.rounds):
            order = list(pages.items())
            for label, (path, cookie) in order if round_ % 2 == 0 else reversed(order):
                times[label].append(timed(port, path, cookie))
        # The same pages right after a change: before each request the bench does what a save does to the
        # caches, through their own receivers (shared/pagecache.py's for the saved model, and the deadline
        # table's stale mark of a case picked at random), so the page is rebuilt as its first visitor after
        # that save would get it. Two saves: a document's (the commonest: a draft) and a case's (a case's save
        # renews every section the supervision pages read).
        missed: dict[str, list[float]] = {}
        for kind, make in change_makers():
            for round_ in range(args.rounds):
                order = [item for item in pages.items() if item[0] != "trivial logged-in"]
                for label, (path, cookie) in order if round_ % 2 == 0 else reversed(order):
                    make()
                    missed.setdefault(f"{label}, {kind}", []).append(timed(port, path, cookie))
        base = statistics.median(times["trivial logged-in"])
        print(
            f"medians at {count} cases ({args.rounds} rounds, {args.workers} gunicorn workers), ratio to trivial logged-in"
            " (pages as served while nothing changes; 'after a ... save': what that save does to the caches done"
            " before each request):"
        )
        medians = {}
        for label, values in times.items():
            medians[label] = statistics.median(values)
            print(
                f"  {label:24s} {medians[label]:8.1f} ms  (spread {min(values):.1f}–{max(values):.1f})"
                f"  ratio {medians[label] / base:6.1f}"
            )
        for label, values in missed.items():
            medians[label] = statistics.median(values)
            print(
                f"  {label:36s} {medians[label]:8.1f} ms"
                f"  (spread {min(values):.1f}–{max(values):.1f})  ratio {medians[label] / base:6.1f}"
            )

        if args.no_wrk:
            return medians
        rates: dict[str, list[dict]] = {"trivial logged-in": [], "case list": [], "workspace": []}
        for round_ in range(2):
            order = [
                ("trivial logged-in", [[BASELINE]] * len(staff_cookies)),
                ("case list", [["/staff/cases/"]] * len(staff_cookies)),
                ("workspace", workspaces),
            ]
            for label, paths in order if round_ == 0 else reversed(order):
                rates[label].append(
                    _wrk.run(
                        port,
                        paths,
                        seconds=args.seconds,
                        connections=len(staff_cookies),
                        cookies=staff_cookies,
                    )
                )
        base_rate = statistics.median(r["rate"] for r in rates["trivial logged-in"])
        print(
            f"wrk, {len(staff_cookies)} connections with one officer session each, {args.seconds:.0f} s x 2 rounds:"
        )
        for label, runs in rates.items():
            rate = statistics.median(r["rate"] for r in runs)
            spread = "/".join(f"{r['rate']:.0f}" for r in runs)
            p95ish = max(r["p90"] for r in runs)
            print(
                f"  {label:24s} {rate:7.0f} req/s ({spread})  ratio {rate / base_rate:.2f}  "
                f"p50 {runs[0]['p50']:.0f} ms p90 {p95ish:.0f} ms p99 {max(r['p99'] for r in runs):.0f} ms"
            )
        return medians
    finally:
        if process is not None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        connection.close()
        if original is not None and args.keep:
            # Kept for --database: point the connection back at the server's own database, undropped.
            connection.settings_dict["NAME"] = original
            print(f"kept database {name} (measure it again with --database {name})", flush=True)
        elif original is not None:
            generate_decisions.destroy_database(original)


def change_makers():
    """(kind, make) pairs: make() does to the caches what a save of a document / of a case does — the page
    cache's receivers for that model (every section watching it: the staff pages, the supervision figures,
    the panels and the deadline counts that read it) and the deadline table's stale mark of a case picked at
    random (both models are read by the clocks), which the next reader's refresh recomputes. The same calls
    in a BEFORE tree (they are older than this bench)."""
    import random

    from recording.models import Document
    from wuding_enforcement.cases import deadline_sync
    from wuding_enforcement.cases.models import Case
    from wuding_enforcement.shared import pagecache

    ids = list(Case.objects.values_list("pk", flat=True))
    rng = random.Random(16)

    def saved(model):
        def make():
            pagecache._renew_watching(model)
            deadline_sync.mark_stale([rng.choice(ids)])

        return make

    return [("after a document save", saved(Document)), ("after a case save", saved(Case))]


def kept_figures() -> dict:
    """What generate() returns, read back from a kept database: the supervisor and the officers by unit."""
    from wuding_enforcement.cases.models import Case
    from wuding_enforcement.roster.models import Staff

    officers: dict[int, list] = {}
    for person in Staff.objects.filter(username__regex=r"^bench_[0-9]+$").order_by("pk"):
        officers.setdefault(person.unit_id, []).append(person)
    return {
        "count": Case.objects.count(),
        "head": Staff.objects.get(username="bench_head"),
        "officers": officers,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="5000")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--skip", default="", help="pages left out, comma-separated (e.g. statistics)")
    parser.add_argument("--keep", action="store_true", help="keep each generated database (name printed)")
    parser.add_argument("--database", help="measure a database kept by --keep as it is (not dropped)")
    parser.add_argument("--no-wrk", action="store_true", help="the one-client medians only (no wrk rounds)")
    parser.add_argument(
        "--generate-only", action="store_true", help="with --keep: generate and rebuild, measure nothing"
    )
    args = parser.parse_args(argv)
    if args.database:
        args.counts = "0"
    if args.keep and "," in args.counts:
        parser.error("--keep takes one count per run (the database is named after the process)")
    for label in filter(None, args.skip.split(",")):
        SUPERVISION.pop(label, None)
    counts = [int(c) for c in args.counts.split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="wuding-bench-"))
    cache_url = redis_url()
    if cache_url:
        os.environ["REDIS_URL"] = cache_url
    # The gunicorn of serve() signs sessions with this key: the sessions made here must verify there.
    os.environ["SECRET_KEY"] = "bench-" + "x" * 60 + "-not-secret-0123456789"
    try:
        generate_decisions.prepare_environment(tmp)
        import django

        django.setup()
        from django.conf import settings

        settings.DEBUG = False
        results = {count: measure(count, args, cache_url, tmp) for count in counts}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if len(counts) > 1 and not args.generate_only:
        first, last = counts[0], counts[-1]
        print(f"growth {first} -> {last} cases (goal <= 2x):")
        for label in SUPERVISION:
            print(f"  {label:24s} {results[last][label] / results[first][label]:5.2f}x")
            for kind in ("after a document save", "after a case save"):
                changed = f"{label}, {kind}"
                if changed in results[last] and changed in results[first]:
                    print(f"  {changed:36s} {results[last][changed] / results[first][changed]:5.2f}x")
        print(
            f"  {'trivial logged-in':24s} {results[last]['trivial logged-in'] / results[first]['trivial logged-in']:5.2f}x"
        )
    print("(2 cores shared with other work: read the medians and the spread, not one figure)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

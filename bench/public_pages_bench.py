"""The public publication pages under load, on PostgreSQL with 100,000 published decisions, served by gunicorn on
127.0.0.1 — against a trivial Django view (HttpResponse("ok")) served by the same gunicorn, same middleware,
in the same run.

Prints medians (one client, requests in turn) of the list, searches with 2-character and longer terms (first
request of each term: a cache miss) and the detail page, and throughput (concurrent clients) of the cached list
and detail against the trivial view, with the ratios.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wuding .venv/bin/python bench/public_pages_bench.py \
        [--count 100000] [--seconds 5] [--clients 8] [--workers 3]

Throwaway database bench_wuding_<pid> (dropped after); the cache is Redis database 13 on 127.0.0.1 when a Redis
answers there (as in production: every gunicorn worker sees the same cache), else each worker's own memory.
"""

import argparse
import http.client
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import _wrk  # noqa: E402
import generate_decisions  # noqa: E402

SHORT_TERMS = ["食品", "药品", "标价", "广告", "农资", "特种", "商标", "添加"]
LONG_TERMS = [
    "超过保质期",
    "不合格药品",
    "明码标价",
    "虚假广告",
    "未经检疫的肉品",
    "食品经营许可",
    "儿童玩具",
    "计量器具",
]
PARTY_TERMS = ["兴旺", "狮山", "超市", "药店", "云岭彝乡"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_url() -> str:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            if s.recv(16).startswith(b"+PONG"):
                # BENCH_REDIS_DB: another database when two benches run at once (their cached pages apart).
                return f"redis://127.0.0.1:6379/{os.environ.get('BENCH_REDIS_DB', '13')}"
    except OSError:
        pass
    return ""


def get(port: int, path: str) -> tuple[int, float]:
    began = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Host": "127.0.0.1"})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status, time.perf_counter() - began


def times_ms(port: int, paths: list[str]) -> list[float]:
    times = []
    for path in paths:
        status, spent = get(port, path)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")
        times.append(spent * 1000)
    return times


def median_ms(port: int, paths: list[str]) -> float:
    return statistics.median(times_ms(port, paths))


def throughput(port: int, paths: list[str], seconds: float, clients: int) -> float:
    done = [0] * clients
    stop = time.perf_counter() + seconds

    def run(i):
        k = i
        while time.perf_counter() < stop:
            status, _ = get(port, paths[k % len(paths)])
            if status != 200:
                raise RuntimeError(f"{paths[k % len(paths)]} answered {status}")
            done[i] += 1
            k += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.perf_counter() - began)


def serve(db_url: str, cache_url: str, workers: int, tmp: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "_bench_settings",
        "DATABASE_URL": db_url,
        "REDIS_URL": cache_url,
        "CELERY_BROKER_URL": "",
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + "x" * 60 + "-not-secret-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "AUDIT_ANCHOR_DIR": str(tmp / "audit-anchors"),
        "MEDIA_ROOT": str(tmp / "media"),
        "DB_CONN_MAX_AGE": "60",
        "LOG_LEVEL": "ERROR",
    }
    if not cache_url:
        env.pop("REDIS_URL")
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "wuding_enforcement.wsgi:application",
            "--pythonpath",
            f"{HERE},{ROOT}",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            # A slow page is measured, not killed (the production default is 120 s).
            "--timeout",
            "300",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    for _ in range(200):
        try:
            if get(port, "/bench/trivial/")[0] == 200:
                return process, port
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def fetch_ms(port: int, path: str) -> tuple[float, int]:
    """Time to the last byte of one GET, and the body's size."""
    began = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    conn.request("GET", path, headers={"Host": "127.0.0.1"})
    response = conn.getresponse()
    size = len(response.read())
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"{path} answered {response.status}")
    return (time.perf_counter() - began) * 1000, size


def feed_misses(port: int, rounds: int = 10) -> list[float]:
    """The feed has one address: each round renews the publications' pages (what a publication does) and times
    the rebuild. Run after the other misses (every cached public page goes with the renewal)."""
    from disclosure.sections import PUBLICATIONS

    times = []
    for _ in range(rounds):
        PUBLICATIONS.renew()
        times.extend(times_ms(port, ["/publications/feed/"]))
    return times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument(
        "--misses-only",
        action="store_true",
        help="only the cache-miss medians (no open-data build, no wrk): the growth figures at 1M decisions",
    )
    parser.add_argument(
        "--version-seconds",
        type=int,
        default=0,
        help="PAGECACHE_VERSION_SECONDS of the served site (0, the default: every hit reads the versions)",
    )
    parser.add_argument(
        "--database", help="a database generate_decisions.py made and kept: measured as it is, not dropped"
    )
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="wuding-bench-"))
    cache_url = redis_url()
    if cache_url:
        os.environ["REDIS_URL"] = cache_url
    # The gunicorn of serve() signs with this key: certificate links made here must verify there.
    os.environ["SECRET_KEY"] = "bench-" + "x" * 60 + "-not-secret-0123456789"
    process = None
    try:
        generate_decisions.prepare_environment(tmp)
        import django

        django.setup()
        from django.conf import settings
        from django.db import connection

        settings.DEBUG = False
        if args.database:
            original, name = None, args.database
            connection.settings_dict["NAME"] = name
        else:
            original, name = generate_decisions.create_database()
        try:
            if original is None:
                from disclosure.models import Publication as Counted

                figures = {"count": Counted.objects.count(), "seconds": 0.0}
            else:
                figures = generate_decisions.generate(args.count)
            print(
                f"generated {figures['count']} publications in {figures['seconds']:.1f} s ({name})",
                flush=True,
            )
            import datetime

            from django.core.cache import cache

            from disclosure.models import Publication
            from disclosure.signing import signed_certificate_url
            from wuding_enforcement.roster.models import Certificate, Staff

            cache.clear()  # pages cached by an earlier run (another database) must not be served
            ids = list(Publication.objects.current().order_by("?").values_list("pk", flat=True)[:200])
            numbers = list(
                Publication.objects.current().order_by("?").values_list("document_number", flat=True)[:20]
            )
            holder = Staff.objects.get(username="bench")
            Certificate.objects.get_or_create(  # a kept database (--database) has it from the last run
                number="53230000001",
                defaults={
                    "holder": holder,
                    "unit": holder.unit,
                    "fields": "食品安全",
                    "issued_on": datetime.date(2024, 1, 1),
                    "expires_on": datetime.date(2029, 1, 1),
                    "exam_passed_on": datetime.date(2023, 10, 1),
                },
            )
            certificate = signed_certificate_url("53230000001").split("://", 1)[-1]
            certificate = certificate[certificate.index("/") :]
            try:
                from disclosure import open_data
            except ImportError:  # the code before prebuilt open data: it streams per request
                open_data = None
            if open_data is not None and not args.misses_only:
                began = time.perf_counter()
                open_data.build()
                print(f"open data built in {time.perf_counter() - began:.1f} s", flush=True)
            static_copy = tmp / "static-same-size.csv"
            os.environ["BENCH_STATIC_FILE"] = str(static_copy)
            db = connection.settings_dict
            db_url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
            connection.close()
            os.environ["PAGECACHE_VERSION_SECONDS"] = str(args.version_seconds)
            process, port = serve(db_url, cache_url, args.workers, tmp)

            # Medians, one client. Misses: first request of each distinct page.
            list_pages = [f"/publications/?page={p}" for p in range(1, 41)]
            deep = [f"/publications/?page={p}" for p in (200, 500, 1000, 2000)]
            short = [f"/publications/?violation={quote(t)}" for t in SHORT_TERMS]
            long_ = [f"/publications/?violation={quote(t)}" for t in LONG_TERMS]
            party = [f"/publications/?party={quote(t)}" for t in PARTY_TERMS]
            by_number = [f"/publications/?number={quote(n)}" for n in numbers]
            details = [f"/publications/{pk}/" for pk in ids[:100]]
            trivial_times = times_ms(port, ["/bench/trivial/"] * 40)
            trivial = statistics.median(trivial_times)
            rows = [
                ("list, pages 1-40 (miss)", times_ms(port, list_pages)),
                ("list, pages 200-2000 (miss)", times_ms(port, deep)),
                ("search 2-char violation (miss)", times_ms(port, short)),
                ("search 3+-char violation (miss)", times_ms(port, long_)),
                ("search party name (miss)", times_ms(port, party)),
                ("search 文号 (miss)", times_ms(port, by_number)),
                ("detail (miss)", times_ms(port, details)),
                ("feed (miss)", feed_misses(port)),
                ("trivial view", trivial_times),
            ]
            print(
                f"medians ({connection.vendor}, {figures['count']} publications, {args.workers} gunicorn workers;"
                f" spread min-max):"
            )
            for label, values in rows:
                value = statistics.median(values)
                print(
                    f"  {label:34s} {value:7.1f} ms ({min(values):.1f}-{max(values):.1f})   ratio {value / trivial:5.1f}"
                )

            if args.misses_only:
                return 0
            # Throughput under wrk (cached pages), rounds alternating so that load drift falls on all alike.
            pages = {
                "trivial view": ["/bench/trivial/"],
                "list (cached)": list_pages[:5],
                "detail (cached)": details[:20],
                "search (cached)": short[:4] + long_[:4],
                "feed (cached)": ["/publications/feed/"],
                "home (cached)": ["/"],
                "certificate (cached)": [certificate],
            }
            for paths in pages.values():  # warm: every worker, every path
                for path in paths:
                    for _ in range(args.workers):
                        get(port, path)
            rates: dict[str, list[float]] = {k: [] for k in pages}
            for round_ in range(2):
                order = list(pages.items())
                for label, paths in order if round_ == 0 else reversed(order):
                    rates[label].append(
                        _wrk.run(port, paths, seconds=args.seconds, connections=args.clients)["rate"]
                    )
            base = statistics.median(rates["trivial view"])
            print(f"throughput, wrk ({args.clients} connections, {args.seconds:.0f} s x 2 rounds):")
            for label, values in rates.items():
                rate = statistics.median(values)
                spread = "/".join(f"{v:.0f}" for v in values)
                print(f"  {label:34s} {rate:7.0f} req/s ({spread})  ratio {rate / base:.2f}")

            # Open data: as served, against the same bytes served as a plain file, alternating.
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
            conn.request("GET", "/publications/open-data.csv", headers={"Host": "127.0.0.1"})
            static_copy.write_bytes(conn.getresponse().read())
            conn.close()
            served, plain = [], []
            for _ in range(5):
                served.append(fetch_ms(port, "/publications/open-data.csv")[0])
                plain.append(fetch_ms(port, "/bench/static-file/")[0])
            print(
                f"open data CSV ({static_copy.stat().st_size / 1e6:.1f} MB): as served {statistics.median(served):.0f} ms, "
                f"plain file {statistics.median(plain):.0f} ms, ratio {statistics.median(plain) / statistics.median(served):.2f}"
            )
            print(f"cache: {'Redis (' + cache_url + ')' if cache_url else 'per-process memory'}", end="")
            print(f"; PAGECACHE_VERSION_SECONDS={args.version_seconds:g}")
            print("(2 cores shared with other work: read the medians and the spread, not one figure)")
        finally:
            if process is not None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=20)
            connection.close()
            if original is not None:
                generate_decisions.destroy_database(original)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

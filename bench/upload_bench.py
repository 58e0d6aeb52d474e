"""Upload of large evidence files through the real upload path with several gunicorn workers, against
copying and hashing the same file.

(a) baseline: `tee copy < file | sha256sum` (the file copied once and hashed once, by C programs);
(b) the portal: gunicorn with 3 sync workers (production's WEB_CONCURRENCY) on 127.0.0.1 and a random port,
    a throwaway SQLite database and MEDIA_ROOT in a temporary directory; a client signs in and sends the file
    in chunks with the resumable protocol (recording/views_evidence.py). Each chunk is a request of its own,
    as nginx passes them (deploy/nginx.conf; gunicorn's sync workers close the connection after each answer),
    so whichever worker accepts it takes the chunk: the running SHA-256 must continue from the upload row.
    The access log records each chunk's worker pid; the bench prints how the chunks spread.

For 0.5, 1 and 2 GB in one run (medians over --rounds; the baseline runs right before each upload), it prints both throughputs, their ratio (goal >= 0.7),
the growth of the upload time per doubling of the size (goal <= 2.2), each worker's peak RSS (VmHWM; goal
< 150 MB), the workers' CPU-seconds per GB, and checks that the server's SHA-256 equals sha256sum's.
`--mode completion` measures the other design (no running hash: one pass over the file at completion,
UPLOAD_RUNNING_HASH=false); `--mode both` runs the two side by side. Free disk is checked first; everything
lives in a temporary directory that is removed at the end.

`--store s3` sends the chunks to an object store instead of the local disk (settings.OBJECT_STORE): moto's
standalone server (`moto_server`, the S3 API the tests in tests/storage/ start) on another free port, a fresh
bucket; each chunk becomes a part of one multipart upload (recording/evidence/upload.py). The store's own
CPU-seconds and peak RSS are printed as well (moto keeps parts in memory and joins them in memory when the
upload completes: its figures are moto's, not MinIO's). `--db postgres` runs the portal on a throwaway
PostgreSQL database bench_wuding_<pid> (the server DATABASE_URL names, or postgres@127.0.0.1) instead of a
SQLite file: production's database, whose commit (the upload row is updated once per chunk) costs well under
a millisecond where SQLite's journal costs several fsyncs.

    .venv/bin/python bench/upload_bench.py [--sizes-mb 512,1024,2048] [--rounds 1] [--workers 3]
        [--chunk-mb 8] [--mode running|completion|both] [--store disk|s3] [--db sqlite|postgres]
    UPLOAD_BENCH_SIZES_MB=64,128,256 .venv/bin/python bench/upload_bench.py        (a quick run)
"""

import argparse
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MB = 1024 * 1024
# An MP4 head, so that the type check by content accepts the file; the rest is random bytes.
MP4_HEAD = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"

SETUP = """
import datetime, django
django.setup()
from django.contrib.auth.models import Group
from django.test import Client
from wuding_enforcement.cases.models import Case, LeadSource
from wuding_enforcement.roster.models import Role, Staff, Unit, UnitKind
unit = Unit.objects.create(name="狮山市场监督管理所", kind=UnitKind.STATION)
officer = Staff.objects.create_user(username="bench", password="Bench-2026!x", real_name="压测", unit=unit)
officer.groups.add(Group.objects.get(name=Role.OFFICER.value))
officer = Staff.objects.get(pk=officer.pk)
case = Case.register_lead(by=officer, handling_unit=unit, title="上传压测", lead_source=LeadSource.INSPECTION,
                          lead_date=datetime.date.today(), officers=[officer])
client = Client()
client.force_login(officer)
print(case.pk, client.cookies["sessionid"].value)
"""


# Set by main(): the database URL (a SQLite file or bench_wuding_<pid>) and the object store's settings.
DATABASE = {"url": ""}
STORE: dict = {}
ACCESS_KEY, SECRET_KEY = "bench-access-key", "bench-secret-key"


def environment(tmp: Path) -> dict:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    for name in list(env):
        if name.startswith("OBJECT_STORE_"):
            env.pop(name)
    env.update(
        DJANGO_SETTINGS_MODULE="wuding_enforcement.settings",
        DATABASE_URL=DATABASE["url"] or f"sqlite:///{tmp / 'bench.sqlite3'}",
        MEDIA_ROOT=str(tmp / "media"),
        AUDIT_ANCHOR_DIR=str(tmp / "anchors"),
        VAR_DIR=str(tmp / "var"),
        EMAIL_URL="locmem://",
        EVIDENCE_MAX_BYTES=str(64 * 1024**3),
        PYTHONPATH=str(ROOT),
    )
    # No broker: tasks (the metadata task after completion) run in-process, as in the default set-up.
    env.pop("CELERY_BROKER_URL", None)
    env.pop("REDIS_URL", None)
    if STORE:
        env.update(
            OBJECT_STORE_BUCKET=STORE["bucket"],
            OBJECT_STORE_URL=STORE["endpoint"],
            OBJECT_STORE_ACCESS_KEY=ACCESS_KEY,
            OBJECT_STORE_SECRET_KEY=SECRET_KEY,
            OBJECT_STORE_RETENTION_MODE="",
        )
    return env


def postgres_server() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgres") else "postgres://postgres@127.0.0.1:5432/postgres"


def create_postgres() -> str:
    """A throwaway database bench_wuding_<pid> on the server; returns its URL."""
    import psycopg

    server = postgres_server()
    name = f"bench_wuding_{os.getpid()}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'")
    parts = urllib.parse.urlsplit(server)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def drop_postgres(url: str) -> None:
    import psycopg

    name = urllib.parse.urlsplit(url).path.strip("/")
    with psycopg.connect(postgres_server(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def start_store(tmp: Path) -> subprocess.Popen:
    """moto's standalone S3 server on a free port, with a fresh bucket (STORE filled in)."""
    import boto3
    from botocore.config import Config

    port = free_port()
    log = open(tmp / "moto.log", "wb")  # noqa: SIM115 - closed with the process
    server = subprocess.Popen(
        [str(Path(PYTHON).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )
    deadline = time.time() + 60
    while True:
        try:
            client.create_bucket(Bucket="wuding-bench")
            break
        except Exception:  # noqa: BLE001 - not listening yet
            if time.time() > deadline or server.poll() is not None:
                server.kill()
                raise SystemExit("moto_server did not start") from None
            time.sleep(0.3)
    STORE.update(bucket="wuding-bench", endpoint=endpoint, client=client, server=server)
    return server


def empty_store() -> None:
    """Remove every object (and unfinished multipart upload) of the bench bucket: moto keeps them in memory."""
    client = STORE["client"]
    for version in client.list_object_versions(Bucket=STORE["bucket"]).get("Versions", []):
        client.delete_object(Bucket=STORE["bucket"], Key=version["Key"], VersionId=version["VersionId"])
    for item in client.list_objects_v2(Bucket=STORE["bucket"]).get("Contents", []):
        client.delete_object(Bucket=STORE["bucket"], Key=item["Key"])
    for part in client.list_multipart_uploads(Bucket=STORE["bucket"]).get("Uploads", []):
        client.abort_multipart_upload(Bucket=STORE["bucket"], Key=part["Key"], UploadId=part["UploadId"])


def make_file(path: Path, size: int) -> None:
    block = os.urandom(8 * MB)
    with open(path, "wb") as f:
        f.write(MP4_HEAD)
        written = len(MP4_HEAD)
        n = 0
        while written < size:
            # A counter in each block: no two blocks alike (no accidental help from anything that dedups).
            piece = n.to_bytes(8, "big") + block[8 : min(len(block), size - written)]
            piece = piece[: size - written]
            f.write(piece)
            written += len(piece)
            n += 1


def baseline(path: Path, tmp: Path) -> tuple[float, str]:
    copy = tmp / "copy"
    began = time.perf_counter()
    done = subprocess.run(
        ["bash", "-c", 'tee "$1" < "$2" | sha256sum', "bench", str(copy), str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = time.perf_counter() - began
    copy.unlink()
    return elapsed, done.stdout.split()[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, env: dict, log, workers: int, access_log: Path) -> subprocess.Popen:
    command = [
        str(Path(PYTHON).parent / "gunicorn"),
        "wuding_enforcement.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "900",
        "--access-logfile",
        str(access_log),
        # The worker's pid and the request line: which worker took each chunk.
        "--access-logformat",
        "%(p)s %(m)s %(U)s %(s)s %(D)s",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200 and len(workers_of(server)) == workers:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.kill()
    raise SystemExit(f"gunicorn did not answer on port {port}")


def workers_of(server: subprocess.Popen) -> list[int]:
    """gunicorn's workers: the children of the master."""
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    except OSError:
        return []
    return sorted(int(c) for c in children)


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pids) -> float:
    """User + system CPU time of these processes (utime and stime of /proc/<pid>/stat)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / ticks


class Slice:
    """A file-like view of `length` bytes of an open file from `offset`: http.client reads it in blocks."""

    def __init__(self, f, offset: int, length: int):
        self.f, self.remaining = f, length
        f.seek(offset)

    def read(self, n=-1):
        if self.remaining <= 0:
            return b""
        n = self.remaining if n is None or n < 0 else min(n, self.remaining)
        block = self.f.read(n)
        self.remaining -= len(block)
        return block


def upload(port: int, case_pk: int, session: str, path: Path, chunk: int) -> tuple[float, dict, int, float]:
    size = path.stat().st_size
    csrf = secrets.token_hex(16)  # a 32-character CSRF secret, sent as cookie and header alike
    cookies = f"sessionid={session}; csrftoken={csrf}"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=900, blocksize=MB)
    began = time.perf_counter()
    form = urllib.parse.urlencode(
        {"title": "执法记录仪录像（压测）", "classification": "general", "name": "bench.mp4", "size": size}
    )
    conn.request(
        "POST",
        f"/staff/recording/cases/{case_pk}/uploads/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
            "Cookie": cookies,
            "X-CSRFToken": csrf,
        },
    )
    answer = conn.getresponse()
    body = answer.read()
    if answer.status != 201:
        raise SystemExit(f"start refused: {answer.status} {body[:500]!r}")
    url = json.loads(body)["url"]
    offset, chunks, result = 0, 0, {}
    with open(path, "rb") as f:
        while offset < size:
            length = min(chunk, size - offset)
            sent_at = time.perf_counter()
            conn.request(
                "PATCH",
                url,
                body=Slice(f, offset, length),
                headers={
                    "Content-Type": "application/offset+octet-stream",
                    "Content-Length": str(length),
                    "Upload-Offset": str(offset),
                    "Accept": "application/json",
                    "Cookie": cookies,
                    "X-CSRFToken": csrf,
                },
            )
            answer = conn.getresponse()
            result = json.loads(answer.read() or b"{}")
            if answer.status != 200:
                raise SystemExit(f"chunk at {offset} refused: {answer.status} {result}")
            offset = result["offset"]
            chunks += 1
    elapsed = time.perf_counter() - began
    last_chunk = time.perf_counter() - sent_at
    conn.close()
    return elapsed, result, chunks, last_chunk


def median(values):
    return statistics.median(values)


def run_mode(mode: str, args, tmp: Path, files: dict, baselines: dict, case_pk: str, session: str) -> dict:
    """Start gunicorn for one hashing design and upload every file `rounds` times."""
    env = environment(tmp)
    env["UPLOAD_RUNNING_HASH"] = "true" if mode == "running" else "false"
    media = tmp / "media"
    port = free_port()
    access = tmp / f"access-{mode}.log"
    results: dict = {"sizes": {}, "spread": {}}
    with open(tmp / f"server-{mode}.log", "wb") as log:
        server = start_server(port, env, log, args.workers, access)
        try:
            workers = workers_of(server)
            # Warm every worker up (imports, URLconf, first queries) with a small upload of many chunks.
            warm = tmp / "warm.mp4"
            if STORE:
                # Parts of the store's size (a smaller chunk is kept only when it ends the file).
                make_file(warm, 3 * args.chunk_mb * MB + MB)
                upload(port, int(case_pk), session, warm, args.chunk_mb * MB)
            else:
                make_file(warm, 4 * MB)
                upload(port, int(case_pk), session, warm, MB // 2)
            subprocess.run([PYTHON, "-c", FORGET], cwd=ROOT, env=env, check=True)
            warm.unlink()
            if STORE:
                empty_store()
            access.write_text("")
            results["idle_rss"] = {pid: peak_rss_mb(pid) for pid in workers}
            for size_mb, path in files.items():
                times, cpus, last, copies, ratios, store_cpus = [], [], [], [], [], []
                for _round in range(args.rounds):
                    # The baseline right before each upload: a change in the machine's load (other work on
                    # its 2 cores and its disk) falls on both.
                    copy_seconds, _digest = baseline(path, tmp)
                    copies.append(copy_seconds)
                    before = cpu_seconds(workers)
                    store_before = cpu_seconds([STORE["server"].pid]) if STORE else 0.0
                    seconds, result, chunks, last_chunk = upload(
                        port, int(case_pk), session, path, args.chunk_mb * MB
                    )
                    cpus.append(cpu_seconds(workers) - before)
                    if STORE:
                        store_cpus.append(cpu_seconds([STORE["server"].pid]) - store_before)
                    if result.get("sha256") != baselines[size_mb][1] or not result.get("complete"):
                        raise SystemExit(
                            f"{mode}: the server's SHA-256 differs from sha256sum's ({size_mb} MB)"
                        )
                    times.append(seconds)
                    ratios.append(copy_seconds / seconds)
                    last.append(last_chunk)
                    # The next round uploads the same bytes again: free the space and the duplicate check.
                    subprocess.run([PYTHON, "-c", FORGET], cwd=ROOT, env=env, check=True)
                    shutil.rmtree(media / "evidence", ignore_errors=True)
                    if STORE:
                        empty_store()
                results["sizes"][size_mb] = {
                    "copy": median(copies),
                    "ratio": median(ratios),
                    "ratios": (min(ratios), max(ratios)),
                    "seconds": median(times),
                    "spread": (min(times), max(times)),
                    "cpu": median(cpus),
                    "store_cpu": median(store_cpus) if store_cpus else None,
                    "last": median(last),
                    "chunks": chunks,
                }
            results["peak_rss"] = {pid: peak_rss_mb(pid) for pid in workers}
            if STORE:
                results["store_rss"] = peak_rss_mb(STORE["server"].pid)
            results["spread"] = chunk_spread(access)
        finally:
            stop(server)
    return results


def chunk_spread(access: Path) -> dict:
    """How many chunk requests each worker pid answered (from the access log)."""
    spread: dict = {}
    for line in access.read_text().splitlines():
        parts = line.split()
        if len(parts) >= 5 and parts[1] == "PATCH":
            pid = parts[0].strip("<>")
            spread.setdefault(pid, []).append(int(parts[4]) / 1e6)
    return spread


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def report(mode: str, results: dict, baselines: dict, args) -> None:
    print(
        f"\n== {mode}: "
        + {
            "running": "running SHA-256 saved with the upload row (any worker continues it)",
            "completion": "no running hash: one pass over the stored file at completion",
        }[mode]
    )
    previous = None
    for size_mb, figures in results["sizes"].items():
        copy_seconds, ratio = figures["copy"], figures["ratio"]
        low, high = figures["spread"]
        growth = f"   x{figures['seconds'] / previous:.2f} for double the size" if previous else ""
        print(
            f"{size_mb:5d} MB: copy+hash {copy_seconds:6.2f} s  upload {figures['seconds']:6.2f} s "
            f"(spread {low:.2f}-{high:.2f}; last chunk + completion {figures['last']:.2f} s)  "
            f"ratio {ratio:.2f} (rounds {figures['ratios'][0]:.2f}-{figures['ratios'][1]:.2f}){growth}"
        )
        store = ""
        if figures.get("store_cpu") is not None:
            store = (
                f"; the store's (moto) CPU {figures['store_cpu']:.2f} s = "
                f"{figures['store_cpu'] / (size_mb / 1024):.2f} CPU-s per GB"
            )
        print(
            f"         {figures['chunks']} chunks; workers' CPU {figures['cpu']:.2f} s = "
            f"{figures['cpu'] / (size_mb / 1024):.2f} CPU-s per GB{store}"
        )
        previous = figures["seconds"]
    print(
        "peak RSS per worker (VmHWM): "
        + ", ".join(f"pid {pid} {rss:.0f} MB" for pid, rss in results["peak_rss"].items())
        + "   (goal < 150 MB; after start-up "
        + ", ".join(f"{rss:.0f}" for rss in results["idle_rss"].values())
        + " MB)"
    )
    if "store_rss" in results:
        print(f"the store's (moto_server) peak RSS: {results['store_rss']:.0f} MB")
    spread = results["spread"]
    print(
        "chunks taken per worker (median seconds in the worker): "
        + ", ".join(f"pid {pid}: {len(t)} ({median(t):.3f} s)" for pid, t in sorted(spread.items()))
    )
    print("goals: ratio >= 0.7 (moonshot 0.9); each doubling <= 2.2x; RSS < 150 MB")


FORGET = """
import django
django.setup()
from recording.models import Evidence, Upload
Upload.objects.all().delete()
Evidence.objects.all().delete()
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes-mb", default=os.environ.get("UPLOAD_BENCH_SIZES_MB", "512,1024,2048"), help="comma-separated"
    )
    parser.add_argument("--chunk-mb", type=int, default=int(os.environ.get("UPLOAD_BENCH_CHUNK_MB", "8")))
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--mode", choices=["running", "completion", "both"], default="running")
    parser.add_argument("--store", choices=["disk", "s3"], default="disk")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args(argv)
    sizes = [int(x) for x in args.sizes_mb.split(",") if x.strip()]
    modes = ["running", "completion"] if args.mode == "both" else [args.mode]

    tmp = Path(tempfile.mkdtemp(prefix="upload-bench-"))
    store = None
    try:
        # Each file, its copy for the baseline and the uploaded file exist at once, plus headroom.
        need = 3 * sum(sizes) * MB + max(sizes) * MB
        free = shutil.disk_usage(tmp).free
        if free < need:
            raise SystemExit(f"not enough free disk in {tmp}: {free // MB} MB free, {need // MB} MB needed")
        print(
            f"free disk {free / 1024**3:.0f} GB; gunicorn, {args.workers} workers; {args.rounds} round(s); "
            f"store: {'object store (moto_server, S3 API)' if args.store == 's3' else 'local disk'}; "
            f"database: {args.db}"
        )
        if args.db == "postgres":
            DATABASE["url"] = create_postgres()
        if args.store == "s3":
            store = start_store(tmp)
        env = environment(tmp)
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        case_pk, session = subprocess.run(
            [PYTHON, "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        ).stdout.split()
        files, baselines = {}, {}
        for size_mb in sizes:
            path = tmp / f"bodycam-{size_mb}.mp4"
            make_file(path, size_mb * MB)
            files[size_mb] = path
            baselines[size_mb] = baseline(path, tmp)  # the expected SHA-256 (and a warm page cache)
        for mode in modes:
            results = run_mode(mode, args, tmp, files, baselines, case_pk, session)
            report(mode, results, baselines, args)
        return 0
    finally:
        if store is not None:
            stop(store)
        if DATABASE["url"]:
            drop_postgres(DATABASE["url"])
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

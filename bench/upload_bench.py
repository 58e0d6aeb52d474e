"""Upload of a large evidence file through the real upload path, against copying and hashing the same file.

(a) baseline: `tee copy < file | sha256sum` (the file copied once and hashed once, by C programs);
(b) the portal: gunicorn (the production server; or runserver) on 127.0.0.1 and a random port, with a
    throwaway SQLite database and MEDIA_ROOT in a temporary directory; a client process signs in and sends
    the file in chunks over HTTP with the resumable protocol (recording/views_evidence.py), the server
    streams each chunk to disk while hashing it, then completes the upload (type check, duplicate check,
    move, Evidence row, audit event, metadata task).

Prints both throughputs in MB/s, their ratio (target >= 0.6), the peak RSS of the server process (VmHWM;
target < 200 MB) and checks that the server's SHA-256 equals sha256sum's. Everything lives in a temporary
directory that is removed at the end.

    .venv/bin/python bench/upload_bench.py [--size-mb 2048] [--chunk-mb 8] [--server gunicorn|runserver]
    UPLOAD_BENCH_MB=256 .venv/bin/python bench/upload_bench.py        (a quick run)
"""

import argparse
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
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


def environment(tmp: Path) -> dict:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="wuding_enforcement.settings",
        DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}",
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
    return env


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


def start_server(kind: str, port: int, env: dict, log) -> subprocess.Popen:
    if kind == "gunicorn":
        command = [
            str(Path(PYTHON).parent / "gunicorn"),
            "wuding_enforcement.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "900",
        ]
    else:
        command = [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"the {kind} server did not answer on port {port}")


def server_processes(server: subprocess.Popen) -> list[int]:
    """The server and its children (gunicorn's worker is a child of the master)."""
    pids = [server.pid]
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    except OSError:
        children = []
    return pids + [int(c) for c in children]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=int(os.environ.get("UPLOAD_BENCH_MB", "2048")))
    parser.add_argument("--chunk-mb", type=int, default=int(os.environ.get("UPLOAD_BENCH_CHUNK_MB", "8")))
    parser.add_argument("--server", choices=["gunicorn", "runserver"], default="gunicorn")
    args = parser.parse_args(argv)
    size, chunk = args.size_mb * MB, args.chunk_mb * MB

    tmp = Path(tempfile.mkdtemp(prefix="upload-bench-"))
    server = None
    try:
        env = environment(tmp)
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        case_pk, session = subprocess.run(
            [PYTHON, "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        ).stdout.split()
        path = tmp / "bodycam.mp4"
        make_file(path, size)
        copy_seconds, expected = baseline(path, tmp)

        port = free_port()
        with open(tmp / "server.log", "wb") as log:
            server = start_server(args.server, port, env, log)
            idle_rss = max(peak_rss_mb(pid) for pid in server_processes(server))
            upload_seconds, result, chunks, last_chunk = upload(port, int(case_pk), session, path, chunk)
            peaks = {pid: peak_rss_mb(pid) for pid in server_processes(server)}

        mb = size / MB
        copy_rate, upload_rate = mb / copy_seconds, mb / upload_seconds
        print(f"file: {mb:.0f} MB, {chunks} chunks of {args.chunk_mb} MB, server: {args.server}")
        print(f"(a) tee copy < file | sha256sum : {copy_seconds:6.2f} s  {copy_rate:7.1f} MB/s")
        print(
            f"(b) upload over HTTP           : {upload_seconds:6.2f} s  {upload_rate:7.1f} MB/s"
            f"  (of which the last chunk and completion: {last_chunk:.2f} s)"
        )
        ratio = upload_rate / copy_rate
        print(f"ratio (b)/(a): {ratio:.2f}   (target >= 0.6)")
        print(
            "server peak RSS (VmHWM): "
            + ", ".join(f"pid {pid} {rss:.0f} MB" for pid, rss in peaks.items())
            + f"   (target < 200 MB; {idle_rss:.0f} MB after start-up)"
        )
        same = result.get("sha256") == expected
        print(f"server SHA-256 {'equals' if same else 'DIFFERS FROM'} sha256sum: {expected}")
        return 0 if same and result.get("complete") else 1
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

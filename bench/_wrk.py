"""wrk (a C HTTP load generator; apt package `wrk`) for the throughput figures: the Python threaded client
reached 1,800 req/s on the trivial view where wrk reached 3,079, so its ratios read high."""

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

LUA = """
paths = {%s}
cookies = {%s}
counter = 0
setup = function(thread)
  counter = counter + 1
  thread:set("id", counter)
end
init = function(args)
  n = 0
  cookie = cookies[((id - 1) %% #cookies) + 1]
  mine = paths[((id - 1) %% #paths) + 1]
end
request = function()
  n = n + 1
  local headers = {}
  headers["Host"] = "127.0.0.1"
  if cookie ~= "" then headers["Cookie"] = cookie end
  return wrk.format("GET", mine[(n %% #mine) + 1], headers)
end
"""


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, capture_output=True)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is not installed (apt-get install -y wrk)")
    return found


def _lua_list(values) -> str:
    return ", ".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)


def run(port: int, paths, *, seconds: float, connections: int, cookies=("",)) -> dict:
    """Requests per second and latency percentiles of `connections` connections (one wrk thread each, so
    that each connection keeps its own cookie: one session per connection), cycling through `paths` — a
    list of paths for all, or a list of such lists, one per connection (its session's own pages)."""
    per_connection = paths if paths and isinstance(paths[0], list | tuple) else [paths]
    wrk = ensure_wrk()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        tables = ", ".join("{" + _lua_list(p) + "}" for p in per_connection)
        f.write(LUA % (tables, _lua_list(cookies)))
        script = f.name
    try:
        out = subprocess.run(
            [
                wrk,
                f"-t{connections}",
                f"-c{connections}",
                f"-d{seconds:.0f}s",
                "--timeout",
                "30s",
                "--latency",
                "-s",
                script,
                f"http://127.0.0.1:{port}{per_connection[0][0]}",
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        Path(script).unlink()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if bad:
        raise RuntimeError(f"{per_connection[0][0]}: {bad.group(1)} non-2xx answers under wrk")

    def pct(p):
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out)
        if not m:
            return float("nan")
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    return {"rate": rate, "p50": pct(50), "p90": pct(90), "p99": pct(99)}

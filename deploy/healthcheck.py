"""Container health check: GET /healthz (it queries the database) as the proxy would send it."""

import os
import sys
import urllib.request

# The first allowed host (".example.cn" also allows "example.cn") and the proxy's X-Forwarded-Proto, so
# neither ALLOWED_HOSTS nor the HTTPS redirect turns the check away.
host = (os.environ.get("ALLOWED_HOSTS") or "localhost").split(",")[0].strip().lstrip(".")
if host in {"", "*"}:
    host = "localhost"
request = urllib.request.Request(
    "http://127.0.0.1:8000/healthz", headers={"Host": host, "X-Forwarded-Proto": "https"}
)
try:
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (a fixed http:// URL)
        sys.exit(0 if response.status == 200 else 1)
except Exception as exc:
    print(f"healthz failed: {exc}", file=sys.stderr)
    sys.exit(1)

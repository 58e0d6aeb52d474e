"""The public anchor page: anyone may note the audit chain's latest anchors and compare later.

Deleting the newest audit rows, or rolling the database back without a recorded re-baseline, contradicts an
anchor that somebody outside the bureau already saw here (`manage.py verify_audit --witness <saved copy>`).
"""

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from .chain import REBASELINE, current_epoch
from .models import AuditAnchor, AuditEvent

# The last two days of hourly anchors.
PUBLISHED = 48


def _anchor(a: AuditAnchor) -> dict:
    return {
        "seq": a.seq,
        "hash": a.hash,
        "at": a.created_at.isoformat(),
        "epoch": a.epoch,
        "period": a.period,
    }


@require_GET
def anchors(request):
    latest = list(AuditAnchor.objects.order_by("-created_at", "-pk")[:PUBLISHED])
    rebaselines = [
        {
            "seq": e.seq,
            "at": e.occurred_at.isoformat(),
            "epoch": e.detail.get("epoch"),
            "backup": (e.detail.get("backup") or {}).get("id"),
            "restored_head": e.detail.get("restored_head"),
            "gap": e.detail.get("gap"),
        }
        for e in AuditEvent.objects.filter(action=REBASELINE).order_by("seq")
    ]
    response = JsonResponse(
        {
            "说明": "武定县市场监督管理局行政执法平台审计日志的锚点：每小时、每日记录审计链最新一条的序号和哈希。"
            "保存本页内容，日后可核对审计日志是否被删改。",
            "epoch": current_epoch(),
            "head": _anchor(latest[0]) if latest else None,
            "anchors": [_anchor(a) for a in latest],
            "rebaselines": rebaselines,
        },
        json_dumps_params={"ensure_ascii": False, "indent": 1},
    )
    response["Cache-Control"] = "public, max-age=60"
    return response

"""Walking the audit chain and its anchors."""

import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from .models import GENESIS_HASH, AuditAnchor, AuditEvent

logger = logging.getLogger("wuding.audit")


@dataclass
class ChainReport:
    ok: bool
    rows: int
    head_seq: int
    message: str
    first_broken_seq: int | None = None


def anchor_file():
    return settings.AUDIT_ANCHOR_DIR / "anchors.jsonl"


def read_file_anchors() -> list[dict]:
    path = anchor_file()
    if not path.exists():
        return []
    anchors = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            anchors.append(json.loads(line))
    return anchors


def anchor_head() -> AuditAnchor | None:
    """Copy the current chain head to AuditAnchor and to the anchor file (append-only, outside the DB)."""
    with transaction.atomic():
        head = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
        if head is None:
            return None
        anchor = AuditAnchor.objects.create(seq=head.seq, hash=head.hash)
    try:
        settings.AUDIT_ANCHOR_DIR.mkdir(parents=True, exist_ok=True)
        with anchor_file().open("a", encoding="utf-8") as fh:
            fh.write(
                json.dumps({"seq": anchor.seq, "hash": anchor.hash, "at": anchor.created_at.isoformat()})
                + "\n"
            )
    except OSError:
        # The database anchor is written; the copy outside the database is what makes deleting the newest
        # rows detectable, so its failure must be seen (the task fails and the log says why).
        logger.exception("audit anchor %s written to the database but not to %s", anchor.seq, anchor_file())
        raise
    logger.info("audit chain anchored at %s", anchor.seq)
    return anchor


def verify_chain() -> ChainReport:
    """Recompute every row's hash in sequence order and check the links, the numbering and the anchors.
    A broken chain is logged as an error (someone altered the log); an intact one as info."""
    report = _walk_chain()
    if report.ok:
        logger.info("audit chain intact: %s rows", report.rows)
    else:
        logger.error("audit chain broken at %s: %s", report.first_broken_seq, report.message)
    return report


def _walk_chain() -> ChainReport:
    expected_prev = GENESIS_HASH
    expected_seq = 1
    hashes_at: dict[int, str] = {}
    anchors = [(a.seq, a.hash, "数据库锚点") for a in AuditAnchor.objects.all()]
    anchors += [(int(a["seq"]), a["hash"], "锚点文件") for a in read_file_anchors()]
    wanted = {seq for seq, _, _ in anchors}
    rows = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        rows += 1
        if event.seq != expected_seq:
            return ChainReport(
                False,
                rows,
                event.seq,
                f"第 {event.seq} 条：序号不连续，应为 {expected_seq}（有记录被删除或插入）",
                event.seq,
            )
        if event.prev_hash != expected_prev:
            return ChainReport(
                False, rows, event.seq, f"第 {event.seq} 条：上一条哈希不符（链条在此断开）", event.seq
            )
        if event.compute_hash() != event.hash:
            return ChainReport(
                False, rows, event.seq, f"第 {event.seq} 条：内容与哈希不符（记录被篡改）", event.seq
            )
        if event.seq in wanted:
            hashes_at[event.seq] = event.hash
        expected_prev = event.hash
        expected_seq += 1
    head_seq = expected_seq - 1
    for seq, digest, where in sorted(anchors):
        if seq > head_seq:
            return ChainReport(
                False,
                rows,
                head_seq,
                f"{where}记录了第 {seq} 条，但日志只到第 {head_seq} 条（最新的记录被删除）",
                head_seq + 1,
            )
        if hashes_at.get(seq) != digest:
            return ChainReport(False, rows, head_seq, f"{where}第 {seq} 条的哈希与日志不符", seq)
    return ChainReport(True, rows, head_seq, f"审计链完整：{rows} 条记录，{len(anchors)} 个锚点核对一致。")

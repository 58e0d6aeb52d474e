"""Walking the audit chain and its anchors; anchor epochs and the re-baseline after a restore.

Anchors copy the chain head (sequence number and hash) hourly and daily to the AuditAnchor table, to the
anchor file outside the database (AUDIT_ANCHOR_DIR), to its mirror on other storage when configured
(AUDIT_ANCHOR_MIRROR_DIR) and to the public page /audit/anchor/. Removing the newest rows then contradicts an
anchor that names a row beyond the head.

A restore from backup legitimately loses the rows written after the backup. `rebaseline()` records that
loss as an audit event (which backup, the restored head, the anchors beyond it: the gap) and opens a new
anchor epoch; old anchors are kept. `verify_chain()` then accepts an old-epoch anchor beyond the restored
head only when the re-baseline recorded it. A silent rollback — an old database put back, with or without
the old anchor files, and no re-baseline — still contradicts the mirror, any witness copy of the public page,
or (when rolled back past a re-baseline) the newer epoch's anchors.
"""

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from .models import GENESIS_HASH, AuditAnchor, AuditEvent

logger = logging.getLogger("wuding.audit")
REBASELINE = "audit.chain.rebaselined"
ANCHOR_FILE = "anchors.jsonl"


@dataclass
class ChainReport:
    ok: bool
    rows: int
    head_seq: int
    message: str
    first_broken_seq: int | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    epoch: int
    where: str
    at: str = ""


def anchor_file(directory: Path | None = None) -> Path:
    return Path(directory or settings.AUDIT_ANCHOR_DIR) / ANCHOR_FILE


def _anchor_dirs() -> list[tuple[str, Path]]:
    dirs = [("锚点文件", Path(settings.AUDIT_ANCHOR_DIR))]
    mirror = getattr(settings, "AUDIT_ANCHOR_MIRROR_DIR", None)
    if mirror:
        dirs.append(("锚点镜像", Path(mirror)))
    return dirs


def read_file_anchors(directory: Path | None = None) -> list[dict]:
    path = anchor_file(directory)
    if not path.exists():
        return []
    anchors = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            anchors.append(json.loads(line))
    return anchors


def read_witness(path: Path) -> list[dict]:
    """Anchors from a copy of the public page (/audit/anchor/ JSON) or of an anchor file (JSON lines)."""
    text = Path(path).read_text(encoding="utf-8").strip()
    lines = [line for line in text.splitlines() if line.strip()]
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        whole = None
    if isinstance(whole, dict) and ("anchors" in whole or "head" in whole):
        return list(whole.get("anchors") or []) + ([whole["head"]] if whole.get("head") else [])
    return [json.loads(line) for line in lines]


def current_epoch() -> int:
    last = AuditEvent.objects.filter(action=REBASELINE).order_by("-seq").only("detail").first()
    return int(last.detail.get("epoch", 1)) if last else 1


def _append(directory: Path, payload: dict) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(anchor_file(directory), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    with os.fdopen(fd, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(payload, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def anchor_head(period: str = "hourly") -> AuditAnchor | None:
    """Copy the current chain head to AuditAnchor, the anchor file and its mirror (append-only, outside the
    database). `period` says which schedule took it (hourly, daily, rebaseline)."""
    with transaction.atomic():
        head = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
        if head is None:
            return None
        anchor = AuditAnchor.objects.create(
            seq=head.seq, hash=head.hash, epoch=current_epoch(), period=period
        )
    line = {
        "seq": anchor.seq,
        "hash": anchor.hash,
        "at": anchor.created_at.isoformat(),
        "epoch": anchor.epoch,
        "period": period,
    }
    for _, directory in _anchor_dirs():
        try:
            _append(directory, line)
        except OSError:
            # The database anchor is written; the copy outside the database is what makes deleting the newest
            # rows detectable, so its failure must be seen (the task fails and the log says why).
            logger.exception("audit anchor %s written to the database but not to %s", anchor.seq, directory)
            raise
    logger.info("audit chain anchored at %s (%s)", anchor.seq, period)
    return anchor


def known_anchors(witnesses=()) -> list[Anchor]:
    anchors = [
        Anchor(a.seq, a.hash, a.epoch, "数据库锚点", a.created_at.isoformat())
        for a in AuditAnchor.objects.all()
    ]
    sources = [(where, read_file_anchors(directory)) for where, directory in _anchor_dirs()]
    sources += [(f"见证副本 {Path(w).name}", read_witness(w)) for w in witnesses]
    for where, lines in sources:
        anchors += [
            Anchor(int(a["seq"]), a["hash"], int(a.get("epoch", 1)), where, str(a.get("at", "")))
            for a in lines
        ]
    return anchors


def verify_chain(witnesses=()) -> ChainReport:
    """Recompute every row's hash in sequence order and check the links, the numbering, and every anchor
    (database, file, mirror, witnesses) against the chain and the recorded re-baselines. A broken chain is
    logged as an error (someone altered the log); an intact one as info."""
    report = _walk_chain(witnesses)
    if report.ok:
        logger.info("audit chain intact: %s rows", report.rows)
    else:
        logger.error("audit chain broken at %s: %s", report.first_broken_seq, report.message)
    return report


def _walk_chain(witnesses) -> ChainReport:
    anchors = known_anchors(witnesses)
    wanted = {a.seq for a in anchors}
    expected_prev = GENESIS_HASH
    expected_seq = 1
    hashes_at: dict[int, str] = {}
    rebaselines: dict[int, dict] = {}  # closed epoch -> the re-baseline's detail
    epoch = 1
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
        if event.action == REBASELINE:
            rebaselines[int(event.detail.get("previous_epoch", epoch))] = event.detail
            epoch = int(event.detail.get("epoch", epoch + 1))
        expected_prev = event.hash
        expected_seq += 1
    head_seq = expected_seq - 1
    lost = 0
    for anchor in sorted(anchors, key=lambda a: (a.epoch, a.seq)):
        if anchor.epoch > epoch:
            return ChainReport(
                False,
                rows,
                head_seq,
                f"{anchor.where}有第 {anchor.epoch} 期锚点（第 {anchor.seq} 条），日志却只到第 {epoch} 期："
                "数据库被回滚到了一次恢复重建之前",
                head_seq + 1,
            )
        closing = rebaselines.get(anchor.epoch) if anchor.epoch < epoch else None
        restored_head = int(closing["restored_head"]["seq"]) if closing else head_seq
        if anchor.seq > restored_head:
            gap_end = int(((closing or {}).get("gap") or {}).get("last_anchor_seq") or 0)
            if closing and anchor.seq <= gap_end:
                lost += 1  # lost in the restore, and recorded as lost by its re-baseline
                continue
            if closing:
                message = (
                    f"{anchor.where}记录了第 {anchor.epoch} 期的第 {anchor.seq} 条，超出了恢复重建时记录的缺口"
                    f"（恢复到第 {restored_head} 条，缺口记到第 {gap_end} 条）"
                )
            else:
                message = (
                    f"{anchor.where}记录了第 {anchor.seq} 条，但日志只到第 {head_seq} 条（最新的记录被删除，"
                    "或数据库被回滚而没有记录恢复重建）"
                )
            return ChainReport(False, rows, head_seq, message, restored_head + 1)
        if hashes_at.get(anchor.seq) != anchor.hash:
            return ChainReport(
                False, rows, head_seq, f"{anchor.where}第 {anchor.seq} 条的哈希与日志不符", anchor.seq
            )
    notes = []
    if rebaselines:
        notes.append(
            f"经过 {len(rebaselines)} 次恢复重建（当前第 {epoch} 期），其中 {lost} 个锚点属于已记录的恢复缺口。"
        )
    return ChainReport(
        True,
        rows,
        head_seq,
        f"审计链完整：{rows} 条记录，{len(anchors)} 个锚点核对一致。",
        notes=notes,
    )


def rebaseline(*, backup: dict, actor=None) -> AuditEvent:
    """After a restore: record what was restored and what was lost, open a new anchor epoch, anchor it.

    `backup` names the backup (id, created_at, manifest_sha256, the head it held). The gap is every anchor,
    from any source, that names a row beyond the restored head or a hash the restored chain does not have.
    """
    from .api import record

    head = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    previous = current_epoch()
    hashes = dict(
        AuditEvent.objects.filter(seq__in={a.seq for a in known_anchors()}).values_list("seq", "hash")
    )
    beyond = [
        a
        for a in known_anchors()
        if a.epoch == previous and (a.seq > head_seq or hashes.get(a.seq) != a.hash)
    ]
    last = max(beyond, key=lambda a: (a.seq, a.at), default=None)
    detail = {
        "backup": backup,
        "restored_head": {"seq": head_seq, "hash": head_hash},
        "gap": {
            "anchors_beyond_head": len(beyond),
            "lost_from_seq": head_seq + 1 if last else None,
            "last_anchor_seq": last.seq if last else None,
            "last_anchor_hash": last.hash if last else None,
            "last_anchor_at": last.at if last else None,
        },
        "previous_epoch": previous,
        "epoch": previous + 1,
    }
    event = record(REBASELINE, actor=actor, detail=detail, object_repr=f"从备份 {backup.get('id', '')} 恢复")
    anchor_head(period="rebaseline")
    return event

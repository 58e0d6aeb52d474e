"""Demo roster extras: training (定期培训) for the current year, so that the roster's "未达到年度最低学时" filter and
the supervision dashboard's training figure have something to show after `make run`; and fictitious photos for
the certificates (illustrated avatars drawn with Pillow: a silhouette and the surname, never a real face),
shown on the public verify page and the printed 核验卡.

Six sessions between 1 January and the seeding day; everyone with a yearly minimum (officers, certificate
holders, legal reviewers: TrainingRequirement.minimum_for_roles) attends enough to meet it, except two people
who missed sessions — a legal reviewer and an officer — so the dashboard lists exactly them. Trainers are
fictitious. Demo only: called from demo.seeding, which refuses outside DEMO_MODE.
"""

import datetime
import hashlib
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFont
from simple_history.utils import bulk_create_with_history

from wuding_enforcement.roster.models import (
    Certificate,
    Role,
    Staff,
    TrainingAttendance,
    TrainingKind,
    TrainingRequirement,
    TrainingSession,
    Unit,
)


@dataclass(frozen=True)
class SessionSpec:
    key: str
    topic: str
    kind: str
    hours: Decimal
    trainer: str
    organiser: str  # unit name
    share: float  # where in the elapsed part of the year it took place (0 = 1 January, 1 = the seeding day)


SESSIONS = [
    SessionSpec(
        "law",
        "《行政处罚法》《行政强制法》专题培训",
        TrainingKind.LAW,
        Decimal("16"),
        "楚雄州司法局 杨明远（演示讲师）",
        "政策法规股",
        0.10,
    ),
    SessionSpec(
        "food",
        "食品安全监督检查与抽检业务培训",
        TrainingKind.BUSINESS,
        Decimal("16"),
        "楚雄州市场监督管理局 李向东（演示讲师）",
        "综合执法大队",
        0.25,
    ),
    SessionSpec(
        "exam",
        "行政执法资格考试辅导",
        TrainingKind.EXAM,
        Decimal("8"),
        "陈光辉（政策法规股）",
        "政策法规股",
        0.40,
    ),
    SessionSpec(
        "three",
        "行政执法“三项制度”与执法文书制作规范",
        TrainingKind.SKILLS,
        Decimal("12"),
        "云南省市场监督管理局 普晓梅（演示讲师）",
        "办公室",
        0.55,
    ),
    SessionSpec(
        "review",
        "重大执法决定法制审核实务",
        TrainingKind.REVIEW,
        Decimal("12"),
        "武定县公职律师 起文华（演示讲师）",
        "政策法规股",
        0.70,
    ),
    SessionSpec(
        "equipment",
        "特种设备安全监察与计量执法业务培训",
        TrainingKind.BUSINESS,
        Decimal("12"),
        "楚雄州特种设备检验所 周志强（演示讲师）",
        "综合执法大队",
        0.85,
    ),
]

# Who attends what. Officers: 16 + 16 + 8 + 12 + 12 = 64 hours; legal reviewers also the review course: 76.
OFFICER_SESSIONS = ("law", "food", "exam", "three", "equipment")
REVIEWER_SESSIONS = ("law", "food", "exam", "three", "review", "equipment")
# Staff without a yearly minimum (records keepers, the admin, a head without certificate) come to the law
# course only.
OTHERS_SESSIONS = ("law",)
# The two who are behind: username -> {session: credited hours (None: the whole session)}.
BEHIND = {
    # 陈光辉, head of 政策法规股 and legal reviewer: busy with reviews, came to two courses.
    "reviewer_senior": {"law": None, "review": None},
    # 孙浩, officer of 综合执法大队: on an inspection tour, one day of the food course and the law course.
    "sunh": {"law": None, "food": Decimal("8")},
}
PLACE = "局三楼会议室（演示）"


def session_date(spec: SessionSpec, today: datetime.date) -> datetime.date:
    """A working weekday of this year before `today`, at the spec's share of the elapsed year."""
    first = datetime.date(today.year, 1, 1)
    elapsed = (today - first).days
    day = first + datetime.timedelta(days=int(elapsed * spec.share))
    while day.weekday() >= 5 and day > first:  # a weekend: the Friday before
        day -= datetime.timedelta(days=1)
    while day.weekday() >= 5 and day + datetime.timedelta(days=1) < today:  # still one: the Monday after
        day += datetime.timedelta(days=1)
    return min(day, today)


def _sessions_for(person: Staff, requirement: TrainingRequirement) -> dict[str, Decimal | None]:
    if person.username in BEHIND:
        return BEHIND[person.username]
    roles = frozenset(g.name for g in person.groups.all())
    if Role.LEGAL_REVIEWER in roles:
        keys = REVIEWER_SESSIONS
    elif requirement.minimum_for_roles(roles, has_certificate=bool(person.certificates.all())) is None:
        keys = OTHERS_SESSIONS
    else:
        keys = OFFICER_SESSIONS
    return dict.fromkeys(keys)


def seed_training_demo(today: datetime.date) -> list[str]:
    """Create this year's demo sessions and attendance; returns lines for the summary. Idempotent: does
    nothing when the year already has training sessions."""
    if TrainingSession.objects.filter(date__year=today.year).exists():
        return []
    requirement = TrainingRequirement.current()
    units = {u.name: u for u in Unit.objects.all()}
    sessions = {}
    for spec in SESSIONS:
        sessions[spec.key], _ = TrainingSession.objects.get_or_create(
            date=session_date(spec, today),
            topic=spec.topic,
            defaults={
                "kind": spec.kind,
                "hours": spec.hours,
                "trainer": spec.trainer,
                "organiser": units.get(spec.organiser),
                "place": PLACE,
            },
        )
    attendance = []
    people = Staff.objects.filter(is_active=True).prefetch_related("groups", "certificates").order_by("pk")
    for person in people:
        for key, hours in _sessions_for(person, requirement).items():
            attendance.append(TrainingAttendance(session=sessions[key], staff=person, hours=hours))
    bulk_create_with_history(attendance, TrainingAttendance, default_change_reason="roster.training.demo")
    behind = [
        name for name in Staff.objects.filter(username__in=BEHIND).values_list("real_name", flat=True) if name
    ]
    return [
        f"培训 {len(sessions)} 期、参训 {len(attendance)} 人次"
        + (f"；未达到年度最低学时：{'、'.join(behind)}" if behind else "")
    ]


# --- Demo photos ------------------------------------------------------------------------------------------

PHOTO_SIZE = (240, 320)  # 3:4, like an ID photo; inside the upload limits (roster/validators.py)
# Background and figure colours, light enough for the dark surname and the card's print.
PALETTE = [
    ((214, 228, 240), (92, 122, 158)),
    ((226, 236, 222), (96, 134, 104)),
    ((240, 228, 214), (150, 112, 84)),
    ((232, 224, 240), (118, 100, 150)),
    ((240, 234, 210), (140, 124, 70)),
    ((220, 236, 236), (78, 130, 132)),
]
# A CJK face for the surname (fonts-noto-cjk, which the PDFs need anyway); without one: the silhouette only.
CJK_FONTS = [
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),  # index 2: Simplified Chinese
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc", 2),
]


def _cjk_font(size: int):
    for path, index in CJK_FONTS:
        if Path(path).exists():
            try:
                return ImageFont.truetype(path, size, index=index)
            except OSError:
                continue
    return None


def avatar_png(name: str, key: str) -> bytes:
    """An illustrated stand-in for an ID photo: a plain background, a head-and-shoulders silhouette in a
    uniform-like colour, and the surname on the chest. `key` (the certificate number) picks the colours, so
    the same person looks the same on every seeding."""
    digest = hashlib.sha256(key.encode()).digest()
    background, figure = PALETTE[digest[0] % len(PALETTE)]
    width, height = PHOTO_SIZE
    image = Image.new("RGB", PHOTO_SIZE, background)
    draw = ImageDraw.Draw(image)
    head_r = 50 + digest[1] % 8
    cx, cy = width // 2, 118 + digest[2] % 10
    # Shoulders: a wide rounded body under the head, cut off by the bottom edge.
    draw.ellipse((cx - 112, cy + head_r + 8, cx + 112, height + 150), fill=figure)
    # Neck and head.
    draw.rectangle((cx - 20, cy + head_r - 16, cx + 20, cy + head_r + 24), fill=figure)
    draw.ellipse((cx - head_r, cy - head_r, cx + head_r, cy + head_r), fill=figure)
    # Collar: two light triangles where a shirt would show.
    collar = tuple(min(255, c + 90) for c in figure)
    top = cy + head_r + 14
    draw.polygon([(cx - 30, top), (cx, top + 38), (cx - 6, top)], fill=collar)
    draw.polygon([(cx + 30, top), (cx, top + 38), (cx + 6, top)], fill=collar)
    surname = (name or "").strip()[:1]
    font = _cjk_font(54) if surname else None
    if font is not None:
        draw.text((cx, height - 52), surname, font=font, fill=(255, 255, 255), anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def seed_demo_photos() -> list[str]:
    """Give every certificate without a photo its illustrated avatar (saved through the model, so the
    change history and the verify pages' cache follow). Idempotent: a certificate with a photo keeps it."""
    made = 0
    for cert in Certificate.objects.select_related("holder").filter(photo="").order_by("pk"):
        png = avatar_png(cert.holder.display_name, cert.number)
        cert.photo.save(f"demo-{cert.number}.png", ContentFile(png), save=False)
        cert._change_reason = "roster.photo.demo"
        cert.save(update_fields=["photo"])
        made += 1
    return [f"证件照片（虚构的示意头像）{made} 张"] if made else []

"""Whether an issued 行政处罚决定书 is published — decided by rule, never by a tick (docs/domain.md §1).

One function, `verdict(document)`, answers for every caller: the 决定书 prints the written notice of 总局令第45号
第八条 from it (through recording's `publication_notice` hook), issuing opens a draft only when it says so,
`Publication.publish()` asks it again, and `manage.py recheck_publications` re-reads every published decision
with it. The rules, in the order they are checked:

- only 行政处罚决定书 of the 普通程序; a warning-only decision is not published (总局令第45号 第二条);
- never a decision against a minor — recognised by the party's flag or by the ID number's birth date, the age
  counted on the date of the violation (未成年人保护法 第一百零三条);
- never where the core facts are a state secret, a trade secret or privacy: the decision's own classification
  (总局令第45号 第五条、第六条; 政府信息公开条例 第十四条、第十五条);
- never where the bureau head approved an exemption request with a lawful ground before the decision was issued
  (PublicationExemption: the ground from a closed list, logged, shown on the supervision dashboard).
"""

import datetime
import re
from dataclasses import dataclass

from wuding_enforcement.cases.models import IdType, PartyKind

DECISION_TYPE = "penalty_decision"
ADULT_AGE = 18
NOTICE = "根据《市场监督管理行政处罚信息公示规定》（总局令第45号）第八条，本决定书将通过国家企业信用信息公示系统和本局门户网站向社会公示。"

_RESIDENT_18 = re.compile(r"^\d{6}(\d{4})(\d{2})(\d{2})\d{3}[\dXx]$")
_RESIDENT_15 = re.compile(r"^\d{6}(\d{2})(\d{2})(\d{2})\d{3}$")


@dataclass(frozen=True)
class Verdict:
    published: bool
    reason: str = ""  # why not, with the article of law ("" when published)
    code: str = ""  # machine-readable: "", not_decision, simple, warning_only, minor, secret, exempt


PUBLISHED = Verdict(True)


def birth_date_from_id(id_number: str) -> datetime.date | None:
    """The birth date a 居民身份证 number carries (GB 11643-1999: digits 7–14; the 15-digit form of 1984 has
    YYMMDD of the 1900s), None where the number carries none."""
    value = (id_number or "").strip()
    match = _RESIDENT_18.match(value)
    century = ""
    if match is None:
        match = _RESIDENT_15.match(value)
        century = "19"
    if match is None:
        return None
    year, month, day = match.groups()
    try:
        return datetime.date(int(century + year), int(month), int(day))
    except ValueError:
        return None


def age_on(born: datetime.date, day: datetime.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def violation_date(document) -> datetime.date:
    """The date the violation is taken to have happened: no later than the lead reached the bureau
    (Case.lead_date), so a party under 18 on that day was under 18 at the violation too."""
    return document.case.lead_date


def is_minor(party, on: datetime.date) -> bool:
    """未成年人保护法 第一百零三条: by the flag, or by the resident ID's birth date (age on `on` under 18)."""
    if party is None or party.kind != PartyKind.PERSON:
        return False
    if party.is_minor:
        return True
    if party.id_type not in ("", IdType.RESIDENT_ID):
        return False
    born = birth_date_from_id(party.id_number)
    return born is not None and age_on(born, on) < ADULT_AGE


def verdict(document, *, before=None) -> Verdict:
    """Whether this 行政处罚决定书 is published (see the module docstring). `before`: only exemptions approved
    before this moment count (the notice printed at issue time; default: all approved ones)."""
    from recording.doctypes.decision import PenaltyDecision
    from recording.models import Classification
    from wuding_enforcement.cases.workflow import Procedure

    from .models import PublicationExemption

    if document.doc_type != DECISION_TYPE:
        return Verdict(False, "不是行政处罚决定书。", "not_decision")
    if document.case.procedure != Procedure.ORDINARY:
        return Verdict(False, "简易程序作出的行政处罚不公示（总局令第45号 第二条）。", "simple")
    if PenaltyDecision.is_warning_only(document.data or {}):
        return Verdict(False, "仅给予警告的行政处罚不公示（总局令第45号 第二条）。", "warning_only")
    parties = [document.party] if document.party_id else list(document.case.parties.all())
    on = violation_date(document)
    if any(is_minor(party, on) for party in parties):
        return Verdict(
            False,
            "当事人在违法行为发生时未满十八周岁（依身份证件号码或未成年人标记），依法不公示"
            "（未成年人保护法 第一百零三条）。",
            "minor",
        )
    secret = (Classification.STATE_SECRET, Classification.COMMERCIAL, Classification.PRIVACY)
    if document.classification in secret:
        return Verdict(
            False,
            f"决定书密级为“{document.get_classification_display()}”，案件主要事实涉及国家秘密、商业秘密或"
            "个人隐私，依法不公示（总局令第45号 第五条、第六条）。",
            "secret",
        )
    exemption = PublicationExemption.objects.approved_for(document, before=before).first()
    if exemption is not None:
        return Verdict(
            False,
            f"局负责人批准不予公示：{exemption.get_ground_display()}（{exemption.ground_basis}）。",
            "exempt",
        )
    return PUBLISHED


def notice_for(document) -> list[str]:
    """recording's `publication_notice` hook: the written notice of 总局令第45号 第八条 printed on the 决定书,
    from the same verdict. What was printed stays printed when the text is rendered again later: a decision
    that opened a publication draft when issued carried the notice, and exemptions approved after the issue do
    not count."""
    from .models import Publication

    if document.pk and document.issued_at and Publication.objects.filter(document_id=document.pk).exists():
        return [NOTICE]
    return [NOTICE] if verdict(document, before=document.issued_at).published else []

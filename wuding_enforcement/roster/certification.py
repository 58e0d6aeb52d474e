"""Who may enforce on a given day (行政处罚法 第四十二条、第五十五条; 云南省行政执法证件管理规定): the one
place that answers "does this person hold a certificate valid on that date?" and "are there at least two
such officers?". Every gate, pre-check, page and the inspection draws use these two functions.

Both read `person.certificates.all()`, so a caller that prefetches `certificates` pays no query per person.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from wuding_enforcement.shared.chinese import cn_date

if TYPE_CHECKING:  # the models import this module: types only, no import cycle at run time
    from .models import Certificate, Staff

MINIMUM_OFFICERS = 2  # 行政处罚法 第四十二条


@dataclass(frozen=True)
class Entitlement:
    """Whether `person` may enforce on `on`: the certificate that entitles them, or why not."""

    person: "Staff"
    on: datetime.date
    certificate: "Certificate | None"
    reason: str = ""

    @property
    def entitled(self) -> bool:
        return self.certificate is not None

    @property
    def refusal(self) -> str:
        """The sentence a refusal prints for this person ("" when entitled)."""
        return "" if self.entitled else f"{self.person.display_name}：{self.reason}"


def entitlement_on(person: "Staff", on: datetime.date) -> Entitlement:
    certificates = sorted(person.certificates.all(), key=lambda c: c.expires_on, reverse=True)
    for certificate in certificates:
        if certificate.is_valid_on(on):
            return Entitlement(person, on, certificate)
    if not certificates:
        return Entitlement(person, on, None, "未持有行政执法证件，不具备执法资格。")
    reasons = "；".join(c.invalid_reason_on(on) for c in certificates)
    return Entitlement(person, on, None, f"{reasons}，{cn_date(on)}不具备执法资格。")


@dataclass
class OfficerCheck:
    """At least two officers holding certificates valid on the day of the act (行政处罚法 第四十二条)."""

    on: datetime.date
    entitlements: list[Entitlement] = field(default_factory=list)

    @property
    def certified(self) -> list[Entitlement]:
        return [e for e in self.entitlements if e.entitled]

    @property
    def uncertified(self) -> list[Entitlement]:
        return [e for e in self.entitlements if not e.entitled]

    @property
    def enough(self) -> bool:
        return len(self.certified) >= MINIMUM_OFFICERS

    def problems(self, act: str) -> list[str]:
        """Each uncertified person's reason, then the shortfall: `act` names what needs the two officers
        ("立案", "执法活动")."""
        found = [e.refusal for e in self.uncertified]
        if not self.enough:
            found.append(
                f"{act}须有至少两名在{cn_date(self.on)}持有有效执法证件的执法人员（行政处罚法 第四十二条），"
                f"目前只有 {len(self.certified)} 名。"
            )
        return found


def certified_officers(people: "Iterable[Staff]", on: datetime.date) -> OfficerCheck:
    return OfficerCheck(on, [entitlement_on(person, on) for person in people])


def choice_label(person: "Staff", on: datetime.date) -> str:
    """How a form offers `person` as an officer on `on`: the name, and — where no certificate is valid that
    day — a warning with the reason (暂扣, 过期, none held), so that nobody is picked without knowing it.
    Reads `person.certificates.all()`: prefetch `certificates`."""
    entitlement = entitlement_on(person, on)
    if entitlement.entitled:
        return person.display_name
    return f"{person.display_name}（⚠ 今日不能执法：{entitlement.reason.rstrip('。')}）"

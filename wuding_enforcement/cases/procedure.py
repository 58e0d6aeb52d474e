"""The statutory order of each procedure path, written once as data (docs/domain.md §6).

The shared case knows its stages but not the systems' document types, so the table is a pair of registries the
case offers and the systems fill from their AppConfig.ready() (the one hook mechanism,
wuding_enforcement/shared/registry.py):

- `steps`: which documents make each stage, per procedure path. A step is a document (one of `documents`
  issued) that must exist before the case enters `stage` (`enters=True`), or only before its file is archived
  (`enters=False`); each step names the article it comes from and the gate that holds it.
- `issuing`: at which stages a document type may be issued, per procedure.
- `path_detectors`: which paths a case is on (有听证, 重大, 不予处罚, 移送 ...), decided by the system whose data
  says so (recording reads its documents and the party's responses, legal_review its catalogue).

The checks below read only what the caller gives them (the issued document types, the case's paths): the
system that owns the documents calls them from its gates, so a refusal reads the same from every path
(Case.advance, Document.issue, the pages, the tasks, the admin). Steps a 行政机关负责人 approved as lawfully not
needed for one case (ProcedureRemedy, kind 说明) count as met for that case only, and say so on the supervision
dashboard; nothing else is ever an exception.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models

from wuding_enforcement.shared.registry import Registry

from .workflow import Procedure, Stage


class Path(models.TextChoices):
    """The procedure paths of docs/domain.md §6. A case is on one base path and may add the others."""

    ORDINARY = "ordinary", "普通程序"
    HEARING = "hearing", "普通程序（听证）"
    MAJOR = "major", "重大执法决定（法制审核）"
    COLLECTIVE = "collective", "情节复杂或者重大违法（集体讨论）"
    NO_PENALTY = "no_penalty", "不予行政处罚"
    NOT_FILED = "not_filed", "不予立案"
    TRANSFER = "transfer", "移送"
    SIMPLE = "simple", "简易程序"


# Paths on which a penalty is decided after 告知 (the ordinary penalty path and the ones that add to it).
PENALTY_PATHS = frozenset({Path.ORDINARY, Path.HEARING, Path.MAJOR, Path.COLLECTIVE})


@dataclass(frozen=True)
class Step:
    """One step of the statutory order: `documents` (any one of them, issued) make `stage` on `paths`."""

    key: str
    title: str
    stage: str
    documents: tuple[str, ...]
    article: str
    gate: str
    procedure: str = Procedure.ORDINARY
    paths: frozenset = frozenset({Path.ORDINARY})
    # True: the case may not enter `stage` without it; False: required in the case file only (组卷).
    enters: bool = True
    # Its place in the 正卷/副卷 filing order (docs/domain.md §6); lower first.
    order: int = 0

    def applies(self, paths: Iterable[str]) -> bool:
        return bool(self.paths & set(paths))

    def refusal(self) -> str:
        return f"缺少“{self.title}”（{self.article}）。"


@dataclass(frozen=True)
class Issuing:
    """A document type may be issued, on `procedure`, only at `stages`."""

    doc_type: str
    title: str
    stages: frozenset
    procedure: str = Procedure.ORDINARY


steps = Registry("cases.procedure.steps", "Which documents make each stage, per path: returns Steps.")
issuing = Registry(
    "cases.procedure.issuing", "At which stages a document type may be issued: returns Issuing."
)
path_detectors = Registry(
    "cases.procedure.path_detectors", "Which paths a case is on: func(case) yields Path values."
)


def declare_steps(func, *, name: str):
    """A system declares its steps: `func()` returns Steps (called when the table is read)."""
    steps.register(func, name=name)


def declare_issuing(func, *, name: str):
    issuing.register(func, name=name)


def declare_path_detector(func, *, name: str):
    path_detectors.register(func, name=name)


def all_steps() -> list[Step]:
    return sorted(steps.collect(None), key=lambda s: (s.procedure, s.order, s.key))


def all_issuing() -> dict[tuple[str, str], Issuing]:
    return {(i.procedure, i.doc_type): i for i in issuing.collect(None)}


def case_paths(case) -> set[str]:
    """The paths this case is on: its base path (普通程序 or 简易程序) and whatever the systems detect."""
    if case.procedure == Procedure.SIMPLE:
        return {Path.SIMPLE}
    found = set(path_detectors.collect(None, case))
    if case.stage == Stage.NOT_FILED or Path.NOT_FILED in found:
        return {Path.NOT_FILED}
    if case.stage == Stage.TRANSFERRED or Path.TRANSFER in found:
        return {Path.TRANSFER}
    if Path.NO_PENALTY in found:
        return {Path.NO_PENALTY} | (found & {Path.MAJOR, Path.COLLECTIVE})
    return {Path.ORDINARY} | found


def waived_steps(case) -> set[str]:
    """Steps a 行政机关负责人 approved as lawfully not needed for this case (ProcedureRemedy, 说明)."""
    from .models import ProcedureRemedy

    return set(ProcedureRemedy.objects.waiving(case).values_list("step", flat=True))


def missing_to_enter(case, target: str, issued_types: set[str], paths: set[str]) -> list[Step]:
    """The steps that make `target` on the case's paths and have no issued document yet."""
    waived = waived_steps(case)
    return [
        step
        for step in all_steps()
        if step.enters
        and step.procedure == case.procedure
        and step.stage == target
        and step.applies(paths)
        and step.key not in waived
        and not issued_types & set(step.documents)
    ]


def missing_in_file(case, issued_types: set[str], paths: set[str]) -> list[Step]:
    """Every step of the case's paths whose document the case file lacks (组卷, docs/domain.md §6: "archiving
    checks them against this table"). Steps of stages the case never reached (e.g. 送达 of a 中止/终止 case)
    are left out: the file holds the documents of the path the case took."""
    # Every case starts as a lead (its 案件来源登记表 is always asked for); a step of a stage the case never
    # reached is not (e.g. the 告知书's 送达回证 of a case terminated during its investigation).
    reached = set(case.transitions.values_list("to_stage", flat=True)) | {case.stage, Stage.LEAD}
    waived = waived_steps(case)
    return [
        step
        for step in all_steps()
        if step.procedure == case.procedure
        and step.applies(paths)
        and step.stage in reached
        and step.key not in waived
        and not issued_types & set(step.documents)
    ]


def issuing_problem(case, doc_type: str, title: str) -> str | None:
    """Why a document of `doc_type` may not be issued at the case's current stage (None: it may)."""
    rule = all_issuing().get((case.procedure, doc_type))
    if rule is None or case.stage in rule.stages:
        return None
    where = "、".join(f"“{Stage(s).label}”" for s in Stage.values if s in rule.stages)
    return (
        f"案件当前处于“{Stage(case.stage).label}”阶段，不能签发“{title}”："
        f"该文书只能在{where}阶段签发（《行政处罚法》第五章规定的程序顺序）。"
    )


def table() -> list[dict]:
    """The statutory order as a readable table (docs, the supervision page, tests): per path, each step."""
    rows = []
    for path in Path:
        for step in all_steps():
            if path in step.paths:
                rows.append(
                    {
                        "path": path.label,
                        "stage": Stage(step.stage).label,
                        "step": step.title,
                        "documents": step.documents,
                        "article": step.article,
                        "gate": step.gate,
                        "enters": step.enters,
                    }
                )
    return rows

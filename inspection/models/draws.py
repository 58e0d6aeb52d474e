"""双随机 draws (国发〔2019〕5号): the committed inputs, the public value, the result, the reveal.

The algorithm is wuding_enforcement/shared/draws.py (documented there, runnable by anyone); when each step
may happen is decided by the methods of Draw below (who may plan, and the inputs a draw freezes, are in
inspection/drawing.py). Once committed, a draw's inputs never change (the save guard below), and the secret
is revealed only with the results.

The steps (methods of Draw):
commit  — the 政策法规股 freezes the inputs (the 名录库 snapshot of the item's category, active on the draw day and
          not yet at the item's yearly cap; the 执法检查人员名录库 of the item's field; the 回避 pairs; the
          shares per risk class) and publishes the commitment, naming the future public value it will use.
          One draw per plan item and round: re-drawing is refused once committed.
run     — on or after the draw day, the public value is entered with its source; the seed and the pairs follow,
          and each pair becomes an inspection task awaiting the bureau head's approval. Once only.
replace — an entity found deregistered before its visit is replaced by the same rule (the next ranked one).
reveal  — after the inspections (every drawn entity's result formed, or its visit called off), the secret,
          snapshot, exclusions and pairs are published with the results, so anyone can re-run the draw.
Every step, and every refusal, is in the audit log.
"""

import logging
import secrets

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from wuding_enforcement.audit.api import record
from wuding_enforcement.cases.workflow import Stage
from wuding_enforcement.roster.models import Staff
from wuding_enforcement.shared import draws
from wuding_enforcement.shared.chinese import cn_date
from wuding_enforcement.shared.refusals import Refused

from ..drawing import draw_inputs, is_planner
from ..officers import with_certificates
from ..refusing import audited, refuse
from .entities import MarketEntity
from .lists import InspectionMode
from .plans import InspectionPlan, PlanEntry
from .tasks import RESULT_STAGES, ApprovalState, Inspection, InspectionKind

logger = logging.getLogger("wuding.inspection")


def _refuse(action, obj, by, problems):
    refuse(f"inspection.draw.{action}", obj, problems)


class DrawState(models.TextChoices):
    COMMITTED = "committed", "已公布承诺，待抽取"
    DRAWN = "drawn", "已抽取（名单检查结束后公布）"
    REVEALED = "revealed", "已公布抽取结果"


# Fields frozen once committed: the inputs the commitment covers.
COMMITTED_FIELDS = (
    "entry_id",
    "round",
    "secret",
    "secret_sha256",
    "snapshot",
    "snapshot_sha256",
    "exclusions",
    "exclusions_sha256",
    "parameters",
    "commitment",
)


class DrawQuerySet(models.QuerySet):
    def public(self):
        """What the public site lists: every committed draw (the commitment is public from the start)."""
        return self


class Draw(models.Model):
    entry = models.ForeignKey(
        PlanEntry, verbose_name="计划检查事项", on_delete=models.PROTECT, related_name="draws"
    )
    round = models.PositiveSmallIntegerField("批次", default=1)
    title = models.CharField("名称", max_length=200)
    state = models.CharField("状态", max_length=10, choices=DrawState.choices, default=DrawState.COMMITTED)
    draw_on = models.DateField("抽取日期", help_text="公开随机值在这一天产生。")
    secret = models.CharField("密钥", max_length=64, editable=False)
    secret_sha256 = models.CharField("密钥哈希", max_length=64, editable=False)
    snapshot = models.TextField("名录库快照", editable=False)
    snapshot_sha256 = models.CharField("快照哈希", max_length=64, editable=False)
    exclusions = models.TextField("回避名单", editable=False)
    exclusions_sha256 = models.CharField("回避名单哈希", max_length=64, editable=False)
    parameters = models.JSONField("抽取参数", editable=False)
    commitment = models.CharField("承诺值", max_length=64, unique=True, editable=False)
    committed_at = models.DateTimeField("承诺时间", auto_now_add=True)
    committed_by = models.ForeignKey(
        "roster.Staff", on_delete=models.PROTECT, related_name="+", editable=False
    )
    public_value = models.CharField("公开随机值", max_length=200, blank=True, editable=False)
    public_value_note = models.CharField("公开随机值出处", max_length=300, blank=True, editable=False)
    seed = models.CharField("种子", max_length=64, blank=True, editable=False)
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True, editable=False)
    drawn_by = models.ForeignKey(
        "roster.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    replacements = models.JSONField("替换记录", default=list, editable=False)
    result = models.JSONField("抽取结果", default=dict, editable=False)
    revealed_at = models.DateTimeField("公布结果时间", null=True, blank=True, editable=False)
    revealed_by = models.ForeignKey(
        "roster.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    # The secret stays out of the history tables: the admin shows history, and the secret is revealed only
    # with the results.
    history = HistoricalRecords(excluded_fields=["secret"])

    objects = DrawQuerySet.as_manager()

    class Meta:
        verbose_name = "双随机抽取"
        verbose_name_plural = "双随机抽取"
        ordering = ["-committed_at", "-pk"]
        constraints = [
            # Re-drawing is refused once committed: one draw per plan item and round (国发〔2019〕5号).
            models.UniqueConstraint(fields=["entry", "round"], name="inspection_draw_once_per_round"),
            models.CheckConstraint(
                condition=~Q(state=DrawState.DRAWN) | ~Q(seed=""), name="inspection_draw_drawn_has_seed"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values(*COMMITTED_FIELDS).first()
            if stored and any(stored[name] != getattr(self, name) for name in COMMITTED_FIELDS):
                raise Refused("抽取已公布承诺，其输入不能再修改（已承诺的抽取不能重新抽取）。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise Refused("抽取记录不能删除。")

    # --- commit ---

    @classmethod
    @audited
    def commit(
        cls, *, by, entry, draw_on, public_source: str, round: int = 1, max_per_officer=None, title=""
    ):
        plan, item = entry.plan, entry.item
        problems = []
        if not is_planner(by):
            problems.append("只有政策法规股、管理员或局负责人可以组织双随机抽取。")
        if not plan.is_published:
            problems.append("检查计划公布后才能按计划抽取。")
        elif InspectionPlan.objects.filter(supersedes=plan, published_at__isnull=False).exists():
            problems.append("该计划已有新版本，请按现行版本抽取。")
        if item.mode != InspectionMode.RANDOM:
            problems.append(f"检查事项“{item.item}”不是双随机抽查事项。")
        if item.category_id is None:
            problems.append(f"检查事项“{item.item}”未指定名录库对象类别。")
        problems += item.usable_problems()
        if draw_on < timezone.localdate():
            problems.append("抽取日期不能早于今天：公开随机值须是承诺时尚未产生的值。")
        if not public_source.strip():
            problems.append("请写明将采用的公开随机值（如：某日福利彩票开奖号码、某日人民币汇率中间价）。")
        if cls.objects.filter(entry=entry, round=round).exists():
            problems.append(f"“{item.item}”第{round}批次已公布抽取承诺，不能重新抽取。")
        if max_per_officer is not None and max_per_officer < 1:
            problems.append("每名执法人员最多检查户数应为正整数。")
        if problems:
            _refuse("commit", plan, by, problems)
        entities, pool, pairs, counts = draw_inputs(entry, draw_on)
        if not entities:
            problems.append("名录库中没有可抽取的检查对象（该类别的在营主体均已达频次上限或未公布上限）。")
        if len(pool) < entry.officers_per_entity:
            problems.append(
                f"{cn_date(draw_on)}持有有效执法证件（执法类别含“{item.field}”）的执法人员只有 {len(pool)} 名，"
                f"不足每户 {entry.officers_per_entity} 名。"
            )
        if problems:
            _refuse("commit", plan, by, problems)
        secret = secrets.token_hex(32)
        snapshot = draws.snapshot_text((e.credit_code, e.risk_class) for e in entities)
        exclusions = draws.exclusions_text(pairs)
        parameters = {
            "plan": f"{plan.title}（第{plan.version}版）",
            "item": {"code": item.code, "name": item.item, "field": item.field},
            "round": round,
            "draw_on": draw_on.isoformat(),
            "proportions": entry.shares(),
            "officers_per_entity": entry.officers_per_entity,
            "max_per_officer": max_per_officer,
            "officers": [i.key for i in pool],
            "officer_names": {i.key: i.person.display_name for i in pool},
            "public_source": public_source.strip(),
            "snapshot_counts": counts,
        }
        fingerprints = {
            "secret_sha256": draws.sha256_hex(secret),
            "snapshot_sha256": draws.sha256_hex(snapshot),
            "exclusions_sha256": draws.sha256_hex(exclusions),
        }
        with transaction.atomic():
            draw = cls.objects.create(
                entry=entry,
                round=round,
                title=title or f"{plan.year}年{item.item}双随机抽查（第{round}批次）",
                state=DrawState.COMMITTED,
                draw_on=draw_on,
                secret=secret,
                snapshot=snapshot,
                exclusions=exclusions,
                parameters=parameters,
                commitment=draws.commitment_of(parameters=parameters, **fingerprints),
                committed_by=by,
                **fingerprints,
            )
            record(
                "inspection.draw.committed",
                obj=draw,
                actor=by,
                detail={
                    "commitment": draw.commitment,
                    **fingerprints,
                    "entities": len(entities),
                    "officers": len(pool),
                },
            )
        return draw

    # --- run ---

    def _locked(self):
        return (
            type(self)
            .objects.select_for_update(of=("self",))
            .select_related("entry__plan", "entry__item")
            .get(pk=self.pk)
        )

    @audited
    def run(self, *, by, public_value: str, note: str):
        """Enter the public value (with where it was read) and draw: once."""
        with transaction.atomic():
            draw = self._locked()
            problems = []
            if not is_planner(by):
                problems.append("只有政策法规股、管理员或局负责人可以组织双随机抽取。")
            if draw.state != DrawState.COMMITTED:
                problems.append("该抽取已完成，不能重新抽取。")
            if timezone.localdate() < draw.draw_on:
                problems.append(f"公开随机值在{cn_date(draw.draw_on)}产生，该日之前不能抽取。")
            if not public_value.strip():
                problems.append("请填写公开随机值。")
            if not note.strip():
                problems.append("请写明公开随机值的出处（发布机构、期号或网址）。")
            if problems:
                _refuse("run", draw, by, problems)
            draw.public_value, draw.public_value_note = public_value.strip(), note.strip()
            draw.seed = draws.seed_from(draw.secret, draw.public_value)
            drawer = draw._drawer()
            result = drawer.run()
            draw.state, draw.drawn_at, draw.drawn_by = DrawState.DRAWN, timezone.now(), by
            draw.result = result.as_dict()
            draw._history_user = by
            draw._change_reason = "inspection.draw.drawn"
            draw.save()
            for pick in result.picks:
                draw._store_pick(pick, by)
            record(
                "inspection.draw.drawn",
                obj=draw,
                actor=by,
                detail={
                    "public_value": draw.public_value,
                    "source": draw.public_value_note,
                    "seed": draw.seed,
                    "picks": len(result.picks),
                    "unpaired": len(result.unpaired),
                },
            )
        self.refresh_from_db()
        return self

    def _drawer(self):
        drawer = draws.Drawer(
            seed=self.seed,
            snapshot=draws.parse_snapshot(self.snapshot),
            exclusions=draws.parse_exclusions(self.exclusions),
            parameters=self.parameters,
        )
        return drawer

    def _store_pick(self, pick, by, replaces=None, reason=""):
        """A drawn pair becomes a DrawPick and an inspection task awaiting approval. A task the rules refuse
        (a certificate lapsed since the commitment …) is recorded on the pick, never silently dropped."""
        entity = MarketEntity.objects.get(credit_code=pick.code)
        staff_by_key = {}
        for person in with_certificates(
            Staff.objects.filter(certificates__number__in=pick.officers).distinct()
        ):
            for certificate in person.certificates.all():
                staff_by_key[certificate.number] = person
        officers = [staff_by_key[key] for key in pick.officers]
        order = (self.picks.order_by("-order").values_list("order", flat=True).first() or 0) + 1
        row = DrawPick.objects.create(
            draw=self,
            order=order,
            entity=entity,
            credit_code=pick.code,
            risk_class=pick.risk,
            rank=pick.rank,
            officer_keys=pick.officers,
            replaces=replaces,
        )
        row.officers.set(officers)
        try:
            Inspection.register(
                by=by,
                kind=InspectionKind.RANDOM,
                entity=entity,
                item=self.entry.item,
                officers=officers,
                planned_on=max(self.draw_on, timezone.localdate()),
                reason=f"{self.title}抽中（{self.entry.plan.title}，实施时间：{self.entry.period}）。",
                plan=self.entry.plan,
                draw_pick=row,
            )
        except Refused as refused:
            logger.warning("draw %s: no task for %s: %s", self.pk, pick.code, refused.messages)
            row.task_problem = "；".join(refused.messages)
            row.save(update_fields=["task_problem"])
        return row

    # --- replacement ---

    @audited
    def replace(self, *, by, pick, reason: str):
        """An entity found deregistered before its visit is replaced by the same rule (the next ranked entity of
        its risk class that can be paired); its task is withdrawn or its case ended."""
        with transaction.atomic():
            draw = self._locked()
            pick = (
                DrawPick.objects.select_for_update(of=("self",))
                .select_related("entity")
                .get(pk=pick.pk, draw=draw)
            )
            inspection = getattr(pick, "inspection", None)
            problems = []
            if not is_planner(by):
                problems.append("只有政策法规股、管理员或局负责人可以替换抽取对象。")
            if draw.state != DrawState.DRAWN:
                problems.append("抽取结果公布后不能再替换。")
            if hasattr(pick, "replaced_by"):
                problems.append("该对象已被替换。")
            if not pick.entity.deregistered_on or pick.entity.deregistered_on > timezone.localdate():
                problems.append(f"{pick.entity.name}未注销（吊销）：只有注销（吊销）的对象可以按规则替换。")
            if (
                inspection is not None
                and inspection.case_id
                and not inspection.called_off
                and inspection.case.stage != Stage.INSPECTION_APPROVED
            ):
                problems.append("该对象已实施检查，不能替换。")
            if not reason.strip():
                problems.append("请写明替换原因。")
            if problems:
                _refuse("replace", draw, by, problems)
            drawer = draw._drawer()
            drawer.run()
            for code in draw.replacements:
                drawer.replace(code)
            new = drawer.replace(pick.credit_code)
            if new is None:
                _refuse("replace", draw, by, [f"{pick.get_risk_class_display()}已无可替换的检查对象。"])
            if inspection is not None and inspection.approval == ApprovalState.PENDING:
                inspection.withdraw(by=by, reason=f"检查对象已注销，按规则替换：{reason}")
            elif (
                inspection is not None
                and inspection.case_id
                and inspection.case.stage == Stage.INSPECTION_APPROVED
            ):
                inspection.cancel(by=by, reason=f"检查对象已注销，按规则替换：{reason}")
            pick.replaced_reason = reason
            pick.save(update_fields=["replaced_reason"])
            draw.replacements = [*draw.replacements, pick.credit_code]
            draw.result = drawer.result.as_dict()
            draw._history_user = by
            draw._change_reason = "inspection.draw.replaced"
            draw.save(update_fields=["replacements", "result"])
            row = draw._store_pick(new, by, replaces=pick, reason=reason)
            record(
                "inspection.draw.replaced",
                obj=draw,
                actor=by,
                detail={"replaced": pick.credit_code, "by": new.code, "reason": reason},
            )
        self.refresh_from_db()
        return row

    # --- reveal ---

    def live_picks(self):
        return self.picks.filter(replaced_by__isnull=True)

    def reveal_problems(self) -> list[str]:

        if self.state != DrawState.DRAWN:
            return ["只有已抽取、尚未公布的抽取可以公布结果。"]
        problems = []
        for pick in self.live_picks().select_related("entity"):
            inspection = getattr(pick, "inspection", None)
            done = inspection is not None and (
                inspection.called_off
                or inspection.approval in (ApprovalState.REJECTED, ApprovalState.WITHDRAWN)
                or (inspection.case_id and inspection.case.stage in RESULT_STAGES)
            )
            if not done:
                problems.append(f"{pick.entity.name}的检查尚未形成结果：检查全部结束后才能公布抽取名单。")
        return problems

    @audited
    def reveal(self, *, by):
        """After the inspections: publish the secret, the snapshot, the exclusions and the pairs with the
        results (the list is never public before the visits — it would warn the targets)."""
        with transaction.atomic():
            draw = self._locked()
            problems = ([] if is_planner(by) else ["只有政策法规股、管理员或局负责人可以公布抽取结果。"]) + (
                draw.reveal_problems()
            )
            if problems:
                _refuse("reveal", draw, by, problems)
            draw.state, draw.revealed_at, draw.revealed_by = DrawState.REVEALED, timezone.now(), by
            draw._history_user = by
            draw._change_reason = "inspection.draw.revealed"
            draw.save(update_fields=["state", "revealed_at", "revealed_by"])
            record("inspection.draw.revealed", obj=draw, actor=by, detail={"commitment": draw.commitment})
        self.refresh_from_db()
        return self

    def bundle(self) -> dict:
        """Everything needed to verify the draw (published after the reveal): feed it to shared/draws.py."""
        picks = self.result.get("picks", [])
        return {
            "algorithm": draws.ALGORITHM,
            "title": self.title,
            "commitment": self.commitment,
            "secret_sha256": self.secret_sha256,
            "snapshot_sha256": self.snapshot_sha256,
            "exclusions_sha256": self.exclusions_sha256,
            "parameters": self.parameters,
            "secret": self.secret,
            "public_value": self.public_value,
            "public_value_note": self.public_value_note,
            "seed": self.seed,
            "snapshot": self.snapshot,
            "exclusions": self.exclusions,
            "replacements": list(self.replacements),
            "picks": [
                {"code": p["code"], "officers": p["officers"], "replaces": p["replaces"]} for p in picks
            ],
        }

    def verify(self) -> list[str]:
        problems, _ = draws.verify(self.bundle())
        return problems


class DrawPick(models.Model):
    """One drawn entity with its officers (the 双随机's pair), in the order the algorithm took it."""

    draw = models.ForeignKey(Draw, on_delete=models.PROTECT, related_name="picks")
    order = models.PositiveSmallIntegerField("序号")
    entity = models.ForeignKey(MarketEntity, on_delete=models.PROTECT, related_name="draw_picks")
    credit_code = models.CharField("统一社会信用代码", max_length=18)
    risk_class = models.CharField("风险等级", max_length=1)
    rank = models.CharField("排序值", max_length=64)
    officer_keys = models.JSONField("执法人员（证号）", default=list)
    officers = models.ManyToManyField("roster.Staff", verbose_name="执法人员", related_name="draw_picks")
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    replaced_reason = models.CharField("被替换原因", max_length=200, blank=True)
    task_problem = models.TextField("未能生成检查任务的原因", blank=True)

    class Meta:
        verbose_name = "抽取结果"
        verbose_name_plural = "抽取结果"
        ordering = ["draw", "order"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "order"], name="inspection_pick_order_unique"),
            models.UniqueConstraint(fields=["draw", "entity"], name="inspection_pick_entity_once"),
        ]

    def __str__(self):
        return f"{self.draw}：{self.credit_code}"

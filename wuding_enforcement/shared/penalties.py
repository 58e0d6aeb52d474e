"""The penalty vocabulary every system speaks: the codes stored in a decision's data["penalty_types"] and
data["discretion"], with their Chinese labels (a shared service: no domain model)."""

# 行政处罚法 第九条 penalty types. Codes are stored in data["penalty_types"].
PENALTY_TYPES = [
    ("warning", "警告"),
    ("criticism", "通报批评"),
    ("fine", "罚款"),
    ("confiscate_gains", "没收违法所得"),
    ("confiscate_property", "没收非法财物"),
    ("suspend_licence", "暂扣许可证件"),
    ("lower_qualification", "降低资质等级"),
    ("revoke_licence", "吊销许可证件"),
    ("restrict_business", "限制开展生产经营活动"),
    ("suspend_business", "责令停产停业"),
    ("close", "责令关闭"),
    ("restrict_employment", "限制从业"),
    ("other", "法律、行政法规规定的其他行政处罚"),
]
PENALTY_LABELS = dict(PENALTY_TYPES)

# 裁量情节 the proposed decision states; legal_review compares them with the benchmark.
DISCRETION = [
    ("none", "不予处罚"),
    ("mitigated", "减轻处罚"),
    ("lenient", "从轻处罚"),
    ("ordinary", "一般处罚"),
    ("severe", "从重处罚"),
]
DISCRETION_LABELS = dict(DISCRETION)

# 行政处罚法 第六十三条: penalties that entitle the party to a hearing whatever the amount.
HEARING_PENALTIES = {
    "lower_qualification",
    "revoke_licence",
    "suspend_business",
    "close",
    "restrict_employment",
}


def penalty_line(data: dict) -> str:
    """The proposed penalty in one line, as a reviewer reads it: "罚款150000.00元、没收违法所得", or the
    discretion when nothing is imposed ("不予处罚")."""
    parts = []
    for code in data.get("penalty_types") or []:
        label = PENALTY_LABELS.get(code, code)
        if code == "fine" and data.get("fine_amount"):
            label = f"{label}{data['fine_amount']}元"
        parts.append(label)
    return "、".join(parts) or DISCRETION_LABELS.get(data.get("discretion") or "", "")

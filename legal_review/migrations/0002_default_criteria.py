"""The default catalogue of major decisions (docs/domain.md §3; 行政处罚法 第五十七条、第五十八条、第六十三条).
Thresholds live in RuleSettings; admins edit names, activity and 须集体讨论 afterwards."""

from django.db import migrations

DEFAULTS = [
    ("fine_person", "对自然人处以较大数额罚款", "fine_person", False,
     "拟对自然人（含个体工商户）罚款数额达到“重大执法决定：自然人罚款”设置的标准（默认1万元）以上。"),
    ("fine_organisation", "对法人或其他组织处以较大数额罚款", "fine_organisation", False,
     "拟对法人或其他组织罚款数额达到“重大执法决定：单位罚款”设置的标准（默认10万元）以上。"),
    ("suspend_business", "责令停产停业、责令关闭", "suspend_business", True,
     "直接关系当事人重大权益，属于情节重大的违法行为，须集体讨论。"),
    ("revoke_licence", "吊销许可证件、营业执照", "revoke_licence", True,
     "直接关系当事人重大权益，属于情节重大的违法行为，须集体讨论。"),
    ("hearing", "当事人有权要求听证或者经过听证程序", "hearing", False,
     "行政处罚法 第六十三条规定的情形，或者已经举行听证的案件。"),
    ("outside_benchmark", "拟处罚超出裁量基准", "outside_benchmark", False,
     "拟作出的处罚与本局裁量基准的相应阶次不一致。"),
    ("public_interest", "涉及重大公共利益", "manual", True, "由承办单位根据案情认定并说明理由。"),
    ("social_risk", "可能造成重大社会影响或者引发社会风险", "manual", True, "由承办单位根据案情认定并说明理由。"),
    ("complex", "案件情况疑难复杂、涉及多个法律关系", "manual", True, "由承办单位根据案情认定并说明理由。"),
    ("crime", "违法行为涉嫌犯罪", "manual", False, "涉嫌犯罪的，审核后依法移送司法机关。"),
    ("other", "法律、法规、规章规定应当进行法制审核的其他情形", "manual", False, "写明所依据的规定。"),
]


def create(apps, schema_editor):
    MajorCriterion = apps.get_model("legal_review", "MajorCriterion")
    for order, (code, name, rule, collective, description) in enumerate(DEFAULTS, start=1):
        MajorCriterion.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "rule": rule,
                "requires_collective": collective,
                "description": description,
                "order": order * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("legal_review", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]

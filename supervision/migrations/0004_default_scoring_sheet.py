from django.db import migrations

# The default 案卷评查 scoring sheet (100 points), after the common provincial case-file evaluation standards;
# admins adjust it in /admin/.
SHEET = [
    ("subject", "执法主体合法，未超越法定职权", 5),
    ("subject", "执法人员具有执法资格，调查取证不少于两人并出示证件", 5),
    ("procedure", "立案审批及时、手续完备，在法定期限内立案", 8),
    ("procedure", "告知当事人陈述、申辩及听证权利，依法组织听证", 8),
    ("procedure", "重大案件经法制审核、依法集体讨论", 8),
    ("procedure", "在法定期限内作出决定、送达，送达方式合法", 8),
    ("procedure", "查封扣押等强制措施经批准、期限合法、全程音像记录", 8),
    ("facts", "违法事实清楚，证据确凿、充分，证据之间能相互印证", 10),
    ("facts", "证据收集程序合法，证据形式规范", 5),
    ("law", "适用法律、法规、规章准确，引用条款具体", 8),
    ("law", "裁量基准运用适当，处罚幅度与违法情节相当", 7),
    ("documents", "文书使用规范、内容完整、制作合法，文号清楚", 8),
    ("documents", "决定书载明救济途径和期限", 4),
    ("archive", "案卷材料齐全，排列有序，正副卷区分，及时归档", 8),
]


def add_sheet(apps, schema_editor):
    Criterion = apps.get_model("supervision", "EvaluationCriterion")
    if not Criterion.objects.exists():
        Criterion.objects.bulk_create(
            [Criterion(group=g, text=t, points=p, order=i) for i, (g, t, p) in enumerate(SHEET)])


class Migration(migrations.Migration):
    dependencies = [("supervision", "0003_notices")]

    operations = [migrations.RunPython(add_sheet, migrations.RunPython.noop)]

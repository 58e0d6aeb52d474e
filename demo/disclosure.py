"""Demo content of the 事前公开 pages for 武定县市场监督管理局: realistic text, real law citations, fictitious
addresses and phone numbers. Called from the demo seeding (demo/seeding.py) after the units
exist; loads nothing twice. Pure content, hence the length."""

import datetime

from django.utils import timezone

from disclosure.models import (
    AnnualReport,
    Channel,
    ChannelKind,
    EnforcementSubject,
    Procedure,
    ProcedureStep,
    ServiceGuide,
)
from inspection.models import InspectionItem
from wuding_enforcement.roster.models import Role, Staff, Unit, UnitKind

BUREAU_PHONE = "0878-8700101"
COMPLAINT_PHONE = "0878-8700105"

BUREAU_BASIS = (
    "《中华人民共和国行政处罚法》第十七条、第二十二条：行政处罚由具有行政处罚权的行政机关在法定职权范围内实施，"
    "由违法行为发生地的行政机关管辖。\n"
    "《市场监督管理行政处罚程序规定》（国家市场监督管理总局令第2号，2022年修正）第二章：县级市场监督管理部门"
    "依职权管辖本辖区内发生的行政处罚案件。\n"
    "武定县机构改革方案：组建武定县市场监督管理局，作为县人民政府工作部门，统一负责本县市场综合监督管理。"
)
BUREAU_DUTIES = (
    "负责市场综合监督管理、市场主体统一登记注册、组织市场监管综合执法；负责食品安全、药品（零售、使用环节）、"
    "特种设备安全、产品质量、计量、标准化、认证认可、广告、价格、反不正当竞争、知识产权保护等监督管理。"
)

UNIT_TEXT = {
    UnitKind.OFFICE: (
        "内设机构",
        "《武定县市场监督管理局职能配置、内设机构和人员编制规定》。内设机构不以自己的名义作出行政执法决定。",
    ),
    UnitKind.BRIGADE: (
        "内设执法机构",
        "《武定县市场监督管理局职能配置、内设机构和人员编制规定》；以武定县市场监督管理局名义承担全县市场监管"
        "领域重大、复杂、跨区域案件的调查处理。",
    ),
    UnitKind.STATION: (
        "派出机构",
        "《武定县市场监督管理局职能配置、内设机构和人员编制规定》；以武定县市场监督管理局名义在辖区内开展日常监督"
        "检查和案件调查；《中华人民共和国行政处罚法》第五十一条规定的简易程序案件可当场作出处罚决定。",
    ),
}
UNIT_DUTIES = {
    "办公室": "负责机关日常运转、政务公开、执法证件管理、信访和行政执法公示的统筹。",
    "政策法规股": "负责重大行政执法决定法制审核、行政复议应诉、执法监督和案卷评查、裁量基准的制定和调整。",
    "行政审批股": "负责食品经营许可、市场主体登记等行政许可事项的受理和办理。",
    "综合执法大队": "负责全县市场监管领域重大、复杂、跨区域案件的查处，组织专项执法行动。",
}

INSPECTIONS = [
    (
        "SC-SP-01",
        "食品安全",
        "食品经营者经营条件和食品安全管理制度落实情况的检查",
        "辖区内食品经营者（含餐饮服务提供者）",
        "《中华人民共和国食品安全法》第一百一十条；《食品经营许可和备案管理办法》",
        "现场检查",
        "按风险等级：A级每年不少于1次，B级不少于2次，C级、D级不少于3次",
        "综合执法大队",
    ),
    (
        "SC-SP-02",
        "食品安全",
        "食品安全监督抽检",
        "食品生产经营者经营的食品",
        "《中华人民共和国食品安全法》第八十七条；《食品安全抽样检验管理办法》",
        "抽样检验",
        "按年度抽检计划，每年不少于4批次/千人",
        "狮山市场监督管理所",
    ),
    (
        "SC-CP-01",
        "产品质量",
        "重点工业产品质量监督抽查",
        "辖区内重点工业产品的生产者、销售者",
        "《中华人民共和国产品质量法》第十五条",
        "抽样检验",
        "随机抽取比例不低于5%，每年1次",
        "综合执法大队",
    ),
    (
        "SC-JL-01",
        "计量",
        "集贸市场在用强制检定计量器具的检查",
        "集贸市场经营者使用的计量器具",
        "《中华人民共和国计量法》第九条、第十八条",
        "现场检查",
        "随机抽取比例不低于5%，每年不少于1次",
        "高桥市场监督管理所",
    ),
    (
        "SC-TS-01",
        "特种设备",
        "特种设备使用单位的监督检查",
        "电梯、锅炉、压力容器等特种设备使用单位",
        "《中华人民共和国特种设备安全法》第五十七条",
        "现场检查",
        "随机抽取比例不低于5%，每年1次",
        "综合执法大队",
    ),
    (
        "SC-GG-01",
        "广告",
        "广告发布情况的检查",
        "广告主、广告经营者、广告发布者",
        "《中华人民共和国广告法》第四十九条",
        "网络监测、现场检查",
        "随机抽取比例不低于3%，每年1次",
        "综合执法大队",
    ),
    (
        "SC-JG-01",
        "价格",
        "明码标价和价格收费行为的检查",
        "商品经营者和服务提供者",
        "《中华人民共和国价格法》第三十四条；《明码标价和禁止价格欺诈规定》",
        "现场检查",
        "随机抽取比例不低于3%，每年1次",
        "猫街市场监督管理所",
    ),
    (
        "SC-YP-01",
        "药品",
        "药品零售企业经营行为的检查",
        "辖区内药品零售企业",
        "《中华人民共和国药品管理法》第九十九条",
        "现场检查",
        "随机抽取比例不低于10%，每年1次",
        "综合执法大队",
    ),
    (
        "SC-QY-01",
        "企业信息",
        "企业公示信息情况的检查",
        "辖区内企业、农民专业合作社",
        "《企业信息公示暂行条例》第十四条；国发〔2019〕5号",
        "书面检查、实地核查",
        "随机抽取比例不低于3%，每年1次",
        "插甸市场监督管理所",
    ),
]

PROCEDURES = [
    (
        "行政处罚（普通程序）",
        "行政处罚",
        "适用于依法可能给予较大数额罚款、没收违法所得、责令停产停业、吊销许可证件等处罚，以及不适用简易程序的案件。",
        "《中华人民共和国行政处罚法》第五章第三节；《市场监督管理行政处罚程序规定》",
        [
            (
                "案源登记与核查",
                "承办人员",
                "自发现线索或者收到材料之日起15个工作日内核查（经批准可延长15个工作日）",
                "《市场监督管理行政处罚程序规定》第十八条",
            ),
            (
                "立案",
                "承办单位负责人签署意见，局负责人批准",
                "核查期限内",
                "《中华人民共和国行政处罚法》第五十四条",
            ),
            (
                "调查取证",
                "两名以上持有效执法证件的执法人员",
                "出示执法证件，全过程记录",
                "《中华人民共和国行政处罚法》第四十二条、第五十五条",
            ),
            (
                "告知",
                "承办单位",
                "当事人自收到告知书之日起5个工作日内陈述、申辩或要求听证",
                "《中华人民共和国行政处罚法》第四十四条、第六十四条",
            ),
            (
                "陈述申辩、听证",
                "承办单位；听证主持人",
                "听证7个工作日前通知当事人",
                "《中华人民共和国行政处罚法》第四十五条、第六十四条",
            ),
            ("法制审核", "政策法规股", "10个工作日", "《中华人民共和国行政处罚法》第五十八条"),
            ("集体讨论", "局负责人", "情节复杂或者重大违法行为", "《中华人民共和国行政处罚法》第五十七条"),
            (
                "作出决定",
                "局负责人",
                "自立案之日起90日内（经批准可延长）",
                "《中华人民共和国行政处罚法》第五十七条、第六十条",
            ),
            ("送达", "承办人员", "当场交付；不在场的7日内送达", "《中华人民共和国行政处罚法》第六十一条"),
            (
                "执行与结案",
                "当事人；承办单位",
                "自收到决定书之日起15日内缴纳罚款",
                "《中华人民共和国行政处罚法》第六十七条",
            ),
        ],
    ),
    (
        "行政处罚（简易程序）",
        "行政处罚",
        "违法事实确凿并有法定依据，对公民处200元以下、对法人或者其他组织处3000元以下罚款或者警告的，可以当场作出处罚决定。",
        "《中华人民共和国行政处罚法》第五十一条、第五十二条",
        [
            ("表明身份", "执法人员", "当场", "《中华人民共和国行政处罚法》第五十二条"),
            ("告知违法事实、处罚理由和依据", "执法人员", "当场", "《中华人民共和国行政处罚法》第四十四条"),
            ("听取陈述、申辩", "执法人员", "当场", "《中华人民共和国行政处罚法》第四十五条"),
            ("填写当场处罚决定书并交付", "执法人员", "当场", "《中华人民共和国行政处罚法》第五十二条"),
            ("报所属机关备案", "执法人员", "及时", "《中华人民共和国行政处罚法》第五十二条"),
        ],
    ),
    (
        "查封、扣押（行政强制措施）",
        "行政强制",
        "为制止违法行为、防止证据损毁、避免危害发生、控制危险扩散，依法对涉案财物实施查封、扣押。",
        "《中华人民共和国行政强制法》第三章",
        [
            (
                "报批",
                "承办人员报局负责人批准；情况紧急当场实施的，24小时内补报",
                "实施前",
                "《中华人民共和国行政强制法》第十八条、第十九条",
            ),
            (
                "通知当事人到场、出示证件",
                "两名以上执法人员",
                "实施时",
                "《中华人民共和国行政强制法》第十八条",
            ),
            (
                "告知理由、依据和权利，听取陈述申辩",
                "执法人员",
                "实施时",
                "《中华人民共和国行政强制法》第十八条",
            ),
            (
                "制作现场笔录和清单，全程录音录像",
                "执法人员",
                "实施时",
                "《中华人民共和国行政强制法》第十八条、第二十四条",
            ),
            ("送达查封扣押决定书", "承办单位", "当场", "《中华人民共和国行政强制法》第二十四条"),
            (
                "处理",
                "局负责人",
                "不得超过30日；情况复杂的经批准可延长30日",
                "《中华人民共和国行政强制法》第二十五条",
            ),
        ],
    ),
    (
        "“双随机、一公开”抽查",
        "行政检查",
        "随机抽取检查对象，随机选派执法检查人员，抽查情况及查处结果及时向社会公开。",
        "国发〔2019〕5号；《企业信息公示暂行条例》第十四条",
        [
            ("制定年度抽查计划", "政策法规股", "每年第一季度", "国发〔2019〕5号"),
            ("随机抽取检查对象", "承办单位（系统摇号）", "按计划", "国发〔2019〕5号"),
            ("随机选派执法检查人员", "承办单位（系统摇号）", "按计划", "国发〔2019〕5号"),
            ("实施检查", "两名以上持证执法人员", "按计划", "《中华人民共和国行政处罚法》第四十二条"),
            ("公示抽查结果", "承办单位", "检查结束之日起20个工作日内", "《企业信息公示暂行条例》第十四条"),
        ],
    ),
]

GUIDES = [
    (
        "食品经营许可（新办）",
        "武定县市场监督管理局（县政务服务中心市场监管窗口）",
        "《中华人民共和国食品安全法》第三十五条\n《食品经营许可和备案管理办法》（国家市场监督管理总局令第78号）",
        "有与经营的食品品种、数量相适应的经营场所，并与有毒、有害场所保持规定的距离；有相应的设备设施；"
        "有专职或者兼职的食品安全管理人员和保证食品安全的规章制度；有合理的设备布局和工艺流程。",
        "食品经营许可申请书\n营业执照或者其他主体资格证明文件\n与食品经营相适应的主要设备设施、经营布局、操作流程等文件\n"
        "食品安全自查、从业人员健康管理、进货查验记录、食品安全事故处置等保证食品安全的规章制度目录",
        "自受理申请之日起10个工作日内作出决定（承诺5个工作日）",
    ),
    (
        "食品生产加工小作坊登记",
        "武定县市场监督管理局（县政务服务中心市场监管窗口）",
        "《云南省食品生产加工小作坊和食品摊贩管理条例》",
        "有固定的生产加工场所，生产加工条件符合食品安全要求；生产加工的食品品种在本省小作坊允许目录内。",
        "小作坊登记申请书\n营业执照复印件\n生产加工场所平面图和设备布局图\n从业人员健康证明",
        "自受理申请之日起10个工作日内（承诺5个工作日）",
    ),
    (
        "个体工商户设立登记",
        "武定县市场监督管理局（县政务服务中心市场监管窗口）；各市场监督管理所可代为受理",
        "《促进个体工商户发展条例》\n《中华人民共和国市场主体登记管理条例》",
        "有经营能力的公民；经营范围不属于法律、行政法规禁止的项目。",
        "个体工商户登记（备案）申请书\n经营者身份证明\n经营场所使用相关文件",
        "申请材料齐全、符合法定形式的当场登记",
    ),
    (
        "市场监管领域投诉举报",
        "武定县市场监督管理局（经营行为发生地的市场监督管理所办理）",
        "《市场监督管理投诉举报处理暂行办法》（国家市场监督管理总局令第20号）",
        "投诉：消费者为生活消费需要购买、使用商品或者接受服务，与经营者发生消费者权益争议。"
        "举报：反映经营者涉嫌违反市场监督管理法律、法规、规章的线索。",
        "投诉人的姓名、电话号码、通讯地址\n被投诉人的名称（姓名）、地址\n具体的投诉请求以及消费者权益争议事实\n举报的，提供涉嫌违法的具体线索",
        "投诉：自收到之日起7个工作日内决定是否受理；举报：依法核查处理",
    ),
]

CHANNELS = [
    (
        ChannelKind.COMPLAINT,
        "全国12315热线",
        "消费投诉、违法行为举报。",
        "12315",
        "",
        "",
        "工作日 8:30—17:30",
    ),
    (
        ChannelKind.COMPLAINT,
        "全国12315平台",
        "网上提交投诉、举报，查询处理进度。",
        "",
        "",
        "www.12315.cn",
        "全天",
    ),
    (ChannelKind.COMPLAINT, "12345政务服务便民热线", "政务咨询、投诉、建议。", "12345", "", "", "全天"),
    (
        ChannelKind.COMPLAINT,
        "本局举报电话",
        "举报食品安全、产品质量、价格等违法行为。",
        COMPLAINT_PHONE,
        "武定县狮山镇演示路1号",
        "",
        "工作日 8:30—17:30",
    ),
    (
        ChannelKind.SUPERVISION,
        "执法监督电话",
        "对本局执法人员不出示证件、不文明执法、违法执法等行为的投诉和监督。",
        BUREAU_PHONE,
        "",
        "",
        "工作日 8:30—17:30",
    ),
    (
        ChannelKind.SUPERVISION,
        "来信来访",
        "书面反映执法中的问题，本局办公室登记办理并答复。",
        "",
        "武定县狮山镇演示路1号 武定县市场监督管理局办公室",
        "",
        "工作日",
    ),
    (
        ChannelKind.SUPERVISION,
        "执法文书核验与证件核验",
        "扫描执法证件或执法文书上的二维码，核验执法人员身份和文书真伪。",
        "",
        "",
        "本网站“证件核验”“文书核验”栏目",
        "全天",
    ),
    (
        ChannelKind.SUPERVISION,
        "上级机关监督",
        "对本局执法行为有异议的，可以向楚雄彝族自治州市场监督管理局反映。",
        "",
        "楚雄州市场监督管理局（演示）",
        "",
        "",
    ),
    (
        ChannelKind.REMEDY,
        "行政复议受理点",
        "武定县人民政府行政复议受理点，受理对本局行政行为不服的行政复议申请。",
        "0878-8700301",
        "武定县狮山镇演示大道2号 武定县司法局一楼（演示）",
        "",
        "工作日",
    ),
    (
        ChannelKind.REMEDY,
        "武定县人民法院立案庭",
        "受理行政诉讼立案。",
        "0878-8700302",
        "武定县狮山镇演示大道8号（演示）",
        "",
        "工作日",
    ),
]


def seed_disclosure_demo(today: datetime.date | None = None) -> dict:
    """Fill the 事前公开 pages and publish last year's statistics; returns how many rows of each were made."""
    today = today or timezone.localdate()
    if EnforcementSubject.objects.exists():
        return {}
    units = {u.name: u for u in Unit.objects.all()}
    EnforcementSubject.objects.create(
        name="武定县市场监督管理局",
        nature="行政执法主体",
        legal_basis=BUREAU_BASIS,
        duties=BUREAU_DUTIES,
        address="武定县狮山镇演示路1号",
        phone=BUREAU_PHONE,
        office_hours="工作日 上午8:30—12:00，下午14:30—17:30",
        order=0,
    )
    for order, unit in enumerate(Unit.objects.filter(is_active=True).order_by("order", "name"), start=1):
        nature, basis = UNIT_TEXT[unit.kind]
        town = unit.name.removesuffix("市场监督管理所")
        duties = UNIT_DUTIES.get(unit.name) or (
            f"负责{town}辖区内市场主体、食品安全、产品质量、计量、价格等日常监督检查和案件调查，受理辖区投诉举报。"
        )
        EnforcementSubject.objects.create(
            name=unit.name, unit=unit, nature=nature, legal_basis=basis, duties=duties, order=order
        )
    for order, (code, field, item, target, basis, method, ratio, unit) in enumerate(INSPECTIONS):
        InspectionItem.objects.create(
            code=code,
            field=field,
            item=item,
            target=target,
            basis=basis,
            method=method,
            ratio=ratio,
            unit=units.get(unit),
            order=order,
        )
    for order, (title, category, summary, basis, steps) in enumerate(PROCEDURES):
        procedure = Procedure.objects.create(
            title=title, category=category, summary=summary, basis=basis, order=order
        )
        for n, (name, actor, limit, step_basis) in enumerate(steps, start=1):
            ProcedureStep.objects.create(
                procedure=procedure, order=n, name=name, actor=actor, time_limit=limit, basis=step_basis
            )
    for order, (name, body, basis, conditions, materials, limit) in enumerate(GUIDES):
        ServiceGuide.objects.create(
            name=name,
            accepting_body=body,
            basis=basis,
            conditions=conditions,
            materials=materials,
            time_limit=limit,
            place="武定县政务服务中心二楼市场监管窗口（演示）",
            phone="0878-8700103",
            hours="工作日 上午9:00—12:00，下午14:30—17:30",
            order=order,
        )
    for order, (kind, name, description, phone, address, website, hours) in enumerate(CHANNELS):
        Channel.objects.create(
            kind=kind,
            name=name,
            description=description,
            phone=phone,
            address=address,
            website=website,
            hours=hours,
            order=order,
        )
    made = {"subjects": EnforcementSubject.objects.count(), "procedures": len(PROCEDURES)}
    publisher = Staff.objects.with_role(Role.ADMIN).first()
    if publisher is not None:
        report = AnnualReport.objects.create(
            year=today.year - 1,
            licensing=386,
            expropriation=0,
            requisition=0,
            inspections_outside_cases=1247,
            note="行政许可为食品经营许可、小作坊登记等；本局未实施行政征收、行政征用。",
        )
        report.publish(by=publisher, on=min(datetime.date(today.year, 1, 20), today))
        made["annual_reports"] = 1
    return made


def seed_publication_demo(today: datetime.date | None = None) -> list[str]:
    """事后公开 demo: the publication drafts the demo's issued decisions opened are served and published —
    one stays published, one is withdrawn with its reason, one was published long enough ago to have
    expired. Runs after the recording and legal-review demo data."""
    import datetime as _dt

    from disclosure.decisions import service_date
    from disclosure.models import Publication, PublicationStatus, WithdrawalKind
    from recording.doctypes import get_type
    from recording.models import Document

    today = today or timezone.localdate()
    head = Staff.objects.with_role(Role.BUREAU_HEAD).order_by("pk").first()
    lines = []
    drafts = list(
        Publication.objects.filter(status=PublicationStatus.DRAFT)
        .select_related("document__case")
        .order_by("pk")
    )
    for index, pub in enumerate(drafts[:3]):
        decision = pub.document
        officers = [a.officer for a in decision.case.assignments.all()]
        if service_date(decision) is None:
            served_at = timezone.localtime() + _dt.timedelta(minutes=1)
            doctype = get_type("service_receipt")
            form = doctype.form(
                {
                    "served_document": decision.pk,
                    "served_at": served_at.strftime("%Y-%m-%dT%H:%M"),
                    "method": "direct",
                    "place": "当事人经营场所",
                    "recipient": "当事人本人（演示）",
                },
                case=decision.case,
            )
            if not form.is_valid():
                lines.append(f"{decision.number}：送达回证未通过校验，未公示（{form.errors.as_text()}）")
                continue
            receipt = Document.objects.create(
                case=decision.case,
                doc_type="service_receipt",
                party=decision.party,
                created_by=officers[0],
                data=doctype.to_json(form.cleaned_data),
            )
            receipt.officers.set(officers)
            receipt.issue(by=officers[0])
        if index == 2:
            pub.publish(by=head, today=today - _dt.timedelta(days=4 * 365))
            Publication.objects.record_expiries(today)
            lines.append(f"{decision.number}：公示期满，已下线")
        else:
            pub.publish(by=head)
            if index == 1:
                pub.withdraw(
                    by=head,
                    kind=WithdrawalKind.CHANGED,
                    reason="经行政复议，复议机关变更了罚款数额，原决定撤回公示（演示数据）。",
                    event_on=today,
                )
                lines.append(f"{decision.number}：已撤回")
            else:
                lines.append(f"{decision.number}：公示中")
    return lines

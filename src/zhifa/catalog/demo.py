"""Demo catalogue: the laws from ../shared/data (when present), the standard flows and
templates, and the enforcement items a county 发展改革局 holds today (企业投资项目核准, 节能审查,
招标投标 supervision), with their real articles, discretion ranges taken from those articles'
fine ranges, and 宁晋县发展改革局's numbering patterns. Idempotent."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from zhifa.catalog import importer, services, standard
from zhifa.catalog.models import (
    Article,
    DocumentKind,
    EnforcementItem,
    FlowDefinition,
    ItemKind,
    Law,
    LawLevel,
    NumberingPattern,
    RandomInspectionItem,
    VersionStatus,
)
from zhifa.catalog.numerals import article_number
from zhifa.catalog.services import Basis, InspectionContent, ItemContent
from zhifa.core import demo
from zhifa.org.models import Agency, EnforcementArea, Unit

AGENCY = "宁晋县发展改革局"
PERMIT_RULES = "企业投资项目核准和备案管理条例"
ENERGY_LAW = "中华人民共和国节约能源法"
TENDER_LAW = "中华人民共和国招标投标法"
LICENCE_LAW = "中华人民共和国行政许可法"

# Without ../shared/data the demo still cites the right articles: the law rows carry the
# same title and version date as the real import (which later fills in the texts).
LAWS = {
    PERMIT_RULES: (LawLevel.ADMIN_REGULATION, dt.date(2016, 11, 30)),
    ENERGY_LAW: (LawLevel.LAW, dt.date(2018, 10, 26)),
    TENDER_LAW: (LawLevel.LAW, dt.date(2017, 12, 27)),
    LICENCE_LAW: (LawLevel.LAW, dt.date(2019, 4, 23)),
}
PLACEHOLDER_TEXT = "（条文尚未导入，请运行 zhifa catalog import-laws 导入全文。）"


def _wan(n: int | float) -> int:
    """万元 → 分."""
    return int(n * 10000 * 100)


def _tiers(circumstances: list[tuple[str, str, int, int]], base: str) -> list[dict]:
    return [
        {"circumstance": c, "penalty": p, "permille_min": lo, "permille_max": hi, "base": base}
        for c, p, lo, hi in circumstances
    ]


# (code, unit, area, flow, kind, name, duties, powers, [(law, article index, note)], discretion)
ITEMS = [
    (
        "XK-001",
        "审批服务科",
        "发展改革",
        "licence",
        ItemKind.LICENCE,
        "企业投资项目核准",
        "对本县权限内实行核准管理的企业投资项目（依照政府核准的投资项目目录）进行核准。",
        "审查项目申请书，自受理之日起20个工作日内作出是否予以核准的决定；项目情况复杂或者需要"
        "征求有关单位意见的，经本机关主要负责人批准可以延长，延长不超过40个工作日。",
        [
            (PERMIT_RULES, 3, ""),
            (PERMIT_RULES, 6, ""),
            (PERMIT_RULES, 9, ""),
            (PERMIT_RULES, 10, ""),
            (LICENCE_LAW, 12, "第（一）项"),
        ],
        [],
    ),
    (
        "XK-002",
        "能源和环资科",
        "节能监察",
        "licence",
        ItemKind.LICENCE,
        "固定资产投资项目节能审查",
        "对本县权限内固定资产投资项目的节能报告进行审查，出具节能审查意见。",
        "不符合强制性节能标准的项目，建设单位不得开工建设；政府投资项目不符合强制性节能标准的，"
        "不得批准建设。",
        [(ENERGY_LAW, 15, "")],
        [],
    ),
    (
        "CF-001",
        "固定资产投资科",
        "发展改革",
        "penalty.ordinary",
        ItemKind.PENALTY,
        "对企业未依法办理核准手续开工建设或者未按核准内容建设的行政处罚",
        "对实行核准管理的项目，企业未办理核准手续开工建设或者未按照核准的建设地点、建设规模、"
        "建设内容等进行建设的，依法查处。",
        "责令停止建设或者责令停产；对企业处项目总投资额1‰以上5‰以下的罚款；对直接负责的主管人员"
        "和其他直接责任人员处2万元以上5万元以下的罚款。",
        [(PERMIT_RULES, 18, "第一款")],
        [
            *_tiers(
                [
                    (
                        "未办理核准手续开工建设，主动停止建设并及时补办手续",
                        "责令停止建设，罚款",
                        1,
                        2,
                    ),
                    ("未办理核准手续开工建设，经责令后停止建设", "责令停止建设，罚款", 2, 4),
                    ("拒不停止建设或者已建成投产", "责令停止建设或者责令停产，罚款", 4, 5),
                ],
                "项目总投资额",
            ),
            {
                "circumstance": "直接负责的主管人员和其他直接责任人员",
                "penalty": "罚款（属于国家工作人员的，依法给予处分）",
                "fine_min": _wan(2),
                "fine_max": _wan(5),
            },
        ],
    ),
    (
        "CF-002",
        "能源和环资科",
        "节能监察",
        "penalty.ordinary",
        ItemKind.PENALTY,
        "对固定资产投资项目未通过节能审查擅自开工建设（不符合强制性节能标准）的行政处罚",
        "对建设单位开工建设不符合强制性节能标准的项目，或者将该项目投入生产、使用的，依法查处。",
        "责令停止建设或者停止生产、使用，限期改造；不能改造或者逾期不改造的生产性项目，"
        "报请本级人民政府按照国务院规定的权限责令关闭。",
        [(ENERGY_LAW, 15, ""), (ENERGY_LAW, 68, "第二款")],
        [
            {
                "circumstance": "开工建设不符合强制性节能标准的项目，能够改造的",
                "penalty": "责令停止建设或者停止生产、使用，限期改造",
            },
            {
                "circumstance": "不能改造或者逾期不改造的生产性项目",
                "penalty": "报请本级人民政府按照国务院规定的权限责令关闭",
            },
        ],
    ),
    (
        "CF-003",
        "固定资产投资科",
        "招标投标",
        "penalty.ordinary",
        ItemKind.PENALTY,
        "对必须进行招标的项目不招标或者规避招标的行政处罚",
        "对必须进行招标的项目而不招标，或者化整为零、以其他方式规避招标的，依法查处。",
        "责令限期改正，可以处项目合同金额5‰以上10‰以下的罚款；对全部或者部分使用国有资金的项目，"
        "可以暂停项目执行或者暂停资金拨付。",
        [(TENDER_LAW, 49, "")],
        _tiers(
            [
                ("及时改正，未造成损失", "责令限期改正，罚款", 5, 7),
                ("逾期不改正或者造成损失", "责令限期改正，罚款；可暂停项目执行或资金拨付", 7, 10),
            ],
            "项目合同金额",
        ),
    ),
    (
        "CF-004",
        "固定资产投资科",
        "招标投标",
        "penalty.ordinary",
        ItemKind.PENALTY,
        "对招标人以不合理条件限制或者排斥潜在投标人的行政处罚",
        "对招标人以不合理的条件限制、排斥潜在投标人，对潜在投标人实行歧视待遇，强制组成联合体"
        "共同投标或者限制投标人之间竞争的，依法查处。",
        "责令改正，可以处1万元以上5万元以下的罚款。",
        [(TENDER_LAW, 51, "")],
        [
            {
                "circumstance": "首次违法，及时改正",
                "penalty": "责令改正，罚款",
                "fine_min": _wan(1),
                "fine_max": _wan(2),
            },
            {
                "circumstance": "影响潜在投标人参与竞争",
                "penalty": "责令改正，罚款",
                "fine_min": _wan(2),
                "fine_max": _wan(5),
            },
        ],
    ),
    (
        "CF-005",
        "固定资产投资科",
        "招标投标",
        "penalty.ordinary",
        ItemKind.PENALTY,
        "对投标人相互串通投标或者与招标人串通投标的行政处罚",
        "对投标人相互串通投标、与招标人串通投标，或者以行贿手段谋取中标的，依法查处。",
        "中标无效，处中标项目金额5‰以上10‰以下的罚款，对单位直接负责的主管人员和其他直接责任人员"
        "处单位罚款数额5%以上10%以下的罚款；有违法所得的，并处没收违法所得。",
        [(TENDER_LAW, 53, "")],
        _tiers(
            [
                ("串通投标，未中标或者及时纠正", "罚款", 5, 7),
                ("串通投标并中标，或者以行贿手段谋取中标", "罚款，没收违法所得", 7, 10),
            ],
            "中标项目金额",
        ),
    ),
]

# A revision kept in the history (approved) and a draft awaiting the leader (not approved).
REVISION = (
    "CF-004",
    "依据本局裁量基准修订，细化情形",
    [
        {
            "circumstance": "首次违法，及时改正，未影响招标结果",
            "penalty": "责令改正，罚款",
            "fine_min": _wan(1),
            "fine_max": _wan(2),
        },
        {
            "circumstance": "限制或者排斥两个以上潜在投标人",
            "penalty": "责令改正，罚款",
            "fine_min": _wan(2),
            "fine_max": _wan(4),
        },
        {
            "circumstance": "拒不改正或者造成招标失败",
            "penalty": "责令改正，罚款",
            "fine_min": _wan(4),
            "fine_max": _wan(5),
        },
    ],
)
UNAPPROVED = {"CF-005"}

# 服务指南 (P7) of the licence items; 事项名称, 依据, 办理流程 and 办理时限 are derived.
_WINDOW = {
    "guide_office_hours": "工作日 上午8:30—12:00，下午14:30—17:30（法定节假日除外）",
    "guide_office_address": "宁晋县政务服务中心二楼发展改革窗口",
    "guide_office_phone": "0319-5861234",
    "guide_supervision": "宁晋县发展改革局办公室监督电话：0319-5861200；"
    "也可通过12345政务服务便民热线反映。",
    "guide_accountability": "工作人员违反规定不予受理、拖延办理或者索取、收受财物的，"
    "依照《中华人民共和国行政许可法》第七十二条至第七十四条追究责任。",
    "guide_remedy": "对决定不服的，可以自知道该决定之日起六十日内向宁晋县人民政府申请行政复议，"
    "或者自知道之日起六个月内向人民法院提起行政诉讼。",
}
GUIDES = {
    "XK-001": {
        **_WINDOW,
        "guide_accepting_body": "宁晋县发展改革局审批服务科（县政务服务中心发展改革窗口）",
        "guide_approving_body": "宁晋县发展改革局",
        "guide_conditions": "（一）不危害经济安全、社会安全、生态安全等国家安全；\n"
        "（二）符合相关发展建设规划、产业政策和技术标准；\n"
        "（三）合理开发并有效利用资源；\n"
        "（四）不对重大公共利益产生不利影响。",
        "guide_preferential": "不收取任何费用；申请材料齐全的，可预约上门指导。",
        "guide_materials": "1. 项目申请书（企业基本情况，项目情况，项目利用资源情况分析以及对生态"
        "环境的影响分析，项目对经济和社会的影响分析）；\n"
        "2. 城乡规划行政主管部门出具的选址意见书（仅指以划拨方式提供国有土地使用权的项目）；\n"
        "3. 国土资源行政主管部门出具的用地预审意见（不涉及新增用地的除外）；\n"
        "4. 法律、行政法规规定应当办理的其他相关手续。",
    },
    "XK-002": {
        **_WINDOW,
        "guide_accepting_body": "宁晋县发展改革局能源和环资科（县政务服务中心发展改革窗口）",
        "guide_approving_body": "宁晋县发展改革局",
        "guide_conditions": "项目符合节能有关法律法规、标准规范、政策，"
        "用能分析客观准确，节能措施合理可行，满足能源消费总量和强度控制要求。",
        "guide_preferential": "节能审查不收取费用。",
        "guide_materials": "1. 节能审查申请；\n2. 项目节能报告；\n3. 项目备案或核准文件。",
    },
}

# 随机抽查事项清单 (P5): (agency short name, code, name, [(law, article index, note)], target,
# content, ratio, method, frequency, inspection item code or "").
INSPECTIONS = [
    (
        "宁发改",
        "CC-001",
        "企业投资项目事中事后监管抽查",
        [(PERMIT_RULES, 16, "")],
        "本县核准、备案的在建企业投资项目",
        "是否按照核准的建设地点、建设规模、建设内容等进行建设；备案信息是否真实；"
        "是否按规定报送项目开工建设、建设进度、竣工等信息。",
        "每年抽查比例不低于在建项目总数的5%",
        "双随机抽查：随机抽取检查对象、随机选派执法检查人员，实地核查与在线监测相结合",
        "每年不少于1次",
        "",
    ),
    (
        "宁发改",
        "CC-002",
        "固定资产投资项目节能审查意见落实情况抽查",
        [(ENERGY_LAW, 12, ""), (ENERGY_LAW, 15, "")],
        "已取得节能审查意见的固定资产投资项目",
        "节能审查意见落实情况，项目能效水平和能源消费情况。",
        "不低于10%",
        "双随机抽查，现场检查与书面检查相结合",
        "每年1次",
        "",
    ),
    (
        "宁发改",
        "CC-003",
        "依法必须招标项目招标投标活动抽查",
        [(TENDER_LAW, 7, "第二款")],
        "本县依法必须进行招标的工程建设项目",
        "是否依法招标，有无规避招标、限制或者排斥潜在投标人、串通投标等行为。",
        "不低于5%",
        "双随机抽查，书面检查与实地核查相结合",
        "每半年1次",
        "",
    ),
    (
        "宁市监",
        "CC-001",
        "被许可人从事行政许可事项活动情况抽查",
        [(LICENCE_LAW, 61, "")],
        "本县取得市场监督管理部门行政许可的经营者",
        "是否按照许可的范围和条件从事经营活动。",
        "不低于3%",
        "双随机抽查，实地核查",
        "每年不少于1次",
        "",
    ),
]

PATTERNS = {
    DocumentKind.PENALTY_DECISION: "罚",
    DocumentKind.NO_PENALTY_DECISION: "罚",
    DocumentKind.LICENCE_GRANT: "许",
    DocumentKind.LICENCE_REFUSAL: "许",
    DocumentKind.REVIEW_OPINION: "法审",
}


def _article(law_title: str, index: int) -> Article:
    level, version_date = LAWS[law_title]
    law, _ = Law.objects.get_or_create(
        title=law_title, version_date=version_date, defaults={"level": level}
    )
    article, _ = Article.objects.get_or_create(
        law=law,
        index=index,
        defaults={"number": article_number(index), "text": PLACEHOLDER_TEXT},
    )
    return article


def _content(agency: Agency, spec: tuple, discretion: list[dict] | None = None) -> ItemContent:
    code, unit, area, flow, kind, name, duties, powers, basis, entries = spec
    return ItemContent(
        name=name,
        kind=kind,
        unit=Unit.objects.get(agency=agency, name=unit),
        duties=duties,
        powers=powers,
        basis=[Basis(_article(law, index), note) for law, index, note in basis],
        discretion=entries if discretion is None else discretion,
        area=EnforcementArea.objects.get_or_create(name=area)[0],
        flow=FlowDefinition.objects.get(code=flow),
        guide=GUIDES.get(code, {}),
    )


def _items(agency: Agency, office, leader) -> int:
    created = 0
    for spec in ITEMS:
        code = spec[0]
        if EnforcementItem.objects.filter(agency=agency, code=code).exists():
            continue
        item = services.item_create(acting_user=office, code=code, content=_content(agency, spec))
        created += 1
        if code not in UNAPPROVED:
            services.item_approve(acting_user=leader, version=item.versions.get())
        if code == REVISION[0]:
            version = services.item_revise(
                acting_user=office,
                item=item,
                content=_content(agency, spec, REVISION[2]),
                change_note=REVISION[1],
            )
            services.item_approve(acting_user=leader, version=version)
    return created


def _inspections() -> int:
    """The random-inspection lists, entered by each agency's office (idempotent)."""
    offices = {
        u.staff.agency.short_name: u
        for u in get_user_model()
        .objects.filter(username__in=["office1", "office-b"])
        .select_related("staff__agency")
    }
    created = 0
    for short, code, name, basis, target, content, ratio, method, frequency, item in INSPECTIONS:
        office = offices.get(short)
        if (
            office is None
            or RandomInspectionItem.objects.filter(agency=office.staff.agency, code=code).exists()
        ):
            continue
        services.inspection_create(
            acting_user=office,
            code=code,
            content=InspectionContent(
                name=name,
                basis=[Basis(_article(law, index), note) for law, index, note in basis],
                target=target,
                content=content,
                ratio=ratio,
                method=method,
                frequency=frequency,
                item=EnforcementItem.objects.filter(agency=office.staff.agency, code=item).first()
                if item
                else None,
            ),
        )
        created += 1
    return created


def _patterns(agency: Agency) -> None:
    for kind, word in PATTERNS.items():
        pattern = f"{agency.short_name}{word}〔{{year}}〕{{seq}}号"
        NumberingPattern.objects.get_or_create(
            agency=agency, kind=kind, defaults={"pattern": pattern}
        )


@demo.register(20, "法律法规、执法流程、文书样本和执法事项清单")
def load(say) -> None:
    standard.load()
    folder = importer.default_laws_dir()
    if folder is not None:
        result = importer.import_laws(folder)
        say(f"法律法规（{folder}）：{result.summary()}")
    else:
        say("未找到 ../shared/data/laws，法条全文稍后可用 zhifa catalog import-laws 导入。")
    agency = Agency.objects.filter(name=AGENCY).first()
    users = get_user_model().objects.filter(username__in=["office1", "leader1"])
    by_name = {u.username: u for u in users}
    if agency is None or len(by_name) < 2:
        say(f"未找到{AGENCY}或其演示账号，跳过执法事项。")
        return
    created = _items(agency, by_name["office1"], by_name["leader1"])
    _patterns(agency)
    say(f"随机抽查事项清单：新增 {_inspections()} 项。")
    drafts = EnforcementItem.objects.filter(
        agency=agency, versions__status=VersionStatus.DRAFT
    ).count()
    say(f"执法事项：新增 {created} 项，待批准草稿 {drafts} 项。")

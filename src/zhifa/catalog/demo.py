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
    VersionStatus,
)
from zhifa.catalog.numerals import article_number
from zhifa.catalog.services import Basis, ItemContent
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
    _, unit, area, flow, kind, name, duties, powers, basis, entries = spec
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
    drafts = EnforcementItem.objects.filter(
        agency=agency, versions__status=VersionStatus.DRAFT
    ).count()
    say(f"执法事项：新增 {created} 项，待批准草稿 {drafts} 项。")

"""Synthetic published decisions for `bench/portal.py`: fast bulk generation into a migrated,
otherwise empty database.

Every decision is a `cases.Party`, a decided `cases.Case`, a published `disclosure.Disclosure`
and its first `PublishedVersion`, written with `executemany` (SQLite) or `COPY` (PostgreSQL)
in batches, not through the services: the benchmark measures reading. What differs from data
made by the real workflow, on purpose:

- the ledger is empty: `PublishedVersion.event_seq` is synthetic (equal to the version id), so
  the verify page of these decisions has no event to show;
- the masked fields and text are built already masked (the same mask functions as
  `core.privacy`, applied to the generated names, ID numbers and phones), not by `mask_text`;
- no issued documents, step records or ledger events exist for the cases.

The content is varied and realistic: company names from word lists (字号 × 行业 × 组织形式),
natural persons (about 30 %, decided within the last two years, so their two-year publication
period has not ended) masked 张某某, matters and legal bases per agency, decision numbers like
宁发改罚〔2026〕12号 numbered per agency and year, decision dates over five years, fines.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from collections.abc import Callable

# --- word lists ---------------------------------------------------------------------------------

REGION = "宁晋县"
REGION_CODE = "130528"

# (agency name, short name used in decision numbers, weight, penalty matters, licence matters)
# A penalty matter: (违法行为类型, 处罚依据, 处罚类别 list, fine range in yuan or None).
# A licence matter: (许可事项, 许可依据, 许可内容).
AGENCIES: list[tuple[str, str, int, list[tuple], list[tuple]]] = [
    (
        "宁晋县发展改革局",
        "宁发改",
        6,
        [
            (
                "未依法办理核准手续擅自开工建设",
                "《企业投资项目核准和备案管理条例》第十八条",
                ["罚款"],
                (10_000, 500_000),
            ),
            (
                "未按规定进行节能审查擅自开工建设",
                "《中华人民共和国节约能源法》第六十八条第二款",
                ["警告", "罚款"],
                (20_000, 200_000),
            ),
            (
                "招标人以不合理条件限制排斥潜在投标人",
                "《中华人民共和国招标投标法》第五十一条",
                ["罚款"],
                (10_000, 50_000),
            ),
            (
                "不执行政府指导价收取费用",
                "《中华人民共和国价格法》第三十九条；《价格违法行为行政处罚规定》第九条",
                ["警告", "罚款"],
                (5_000, 100_000),
            ),
        ],
        [
            (
                "企业投资项目核准",
                "《企业投资项目核准和备案管理条例》第三条",
                "准予核准光伏发电项目",
            ),
            ("固定资产投资项目节能审查", "《中华人民共和国节约能源法》第十五条", "同意节能审查"),
        ],
    ),
    (
        "宁晋县市场监督管理局",
        "宁市监",
        30,
        [
            (
                "经营超过保质期的食品",
                "《中华人民共和国食品安全法》第一百二十四条第一款",
                ["没收违法所得", "罚款"],
                (5_000, 100_000),
            ),
            (
                "未取得食品经营许可从事食品经营活动",
                "《中华人民共和国食品安全法》第一百二十二条第一款",
                ["没收违法所得", "罚款"],
                (10_000, 150_000),
            ),
            (
                "发布虚假广告",
                "《中华人民共和国广告法》第五十五条第一款",
                ["罚款"],
                (20_000, 300_000),
            ),
            (
                "未按规定公示年度报告",
                "《企业信息公示暂行条例》第十七条",
                ["警告"],
                None,
            ),
            (
                "销售不合格产品",
                "《中华人民共和国产品质量法》第四十九条",
                ["没收违法所得", "罚款"],
                (5_000, 200_000),
            ),
            (
                "使用未经检验的特种设备",
                "《中华人民共和国特种设备安全法》第八十四条",
                ["罚款"],
                (30_000, 300_000),
            ),
            (
                "价格欺诈",
                "《中华人民共和国价格法》第四十条；《价格违法行为行政处罚规定》第七条",
                ["警告", "罚款"],
                (5_000, 50_000),
            ),
        ],
        [
            (
                "食品经营许可",
                "《中华人民共和国食品安全法》第三十五条",
                "准予食品经营许可（预包装食品销售）",
            ),
            ("食品生产许可", "《中华人民共和国食品安全法》第三十五条", "准予食品生产许可（糕点）"),
            ("药品零售许可", "《中华人民共和国药品管理法》第五十一条", "准予药品经营（零售）许可"),
        ],
    ),
    (
        "宁晋县应急管理局",
        "宁应急",
        8,
        [
            (
                "未按规定对从业人员进行安全生产教育和培训",
                "《中华人民共和国安全生产法》第九十七条第三项",
                ["罚款"],
                (10_000, 100_000),
            ),
            (
                "未建立事故隐患排查治理制度",
                "《中华人民共和国安全生产法》第一百零一条第五项",
                ["罚款"],
                (20_000, 100_000),
            ),
            (
                "违规储存烟花爆竹",
                "《烟花爆竹安全管理条例》第三十六条",
                ["没收违法所得", "罚款"],
                (10_000, 50_000),
            ),
        ],
        [
            (
                "危险化学品经营许可",
                "《危险化学品安全管理条例》第三十三条",
                "准予危险化学品经营许可（不带储存设施）",
            ),
        ],
    ),
    (
        "邢台市生态环境局宁晋县分局",
        "宁环",
        7,
        [
            (
                "超过大气污染物排放标准排放大气污染物",
                "《中华人民共和国大气污染防治法》第九十九条第二项",
                ["罚款"],
                (100_000, 1_000_000),
            ),
            (
                "未批先建",
                "《中华人民共和国环境影响评价法》第三十一条第一款",
                ["罚款"],
                (50_000, 500_000),
            ),
            (
                "危险废物未按规定贮存",
                "《中华人民共和国固体废物污染环境防治法》第一百一十二条",
                ["罚款"],
                (100_000, 1_000_000),
            ),
        ],
        [
            ("排污许可", "《排污许可管理条例》第三条", "核发排污许可证"),
        ],
    ),
    (
        "宁晋县交通运输局",
        "宁交",
        7,
        [
            (
                "未取得道路运输经营许可擅自从事道路运输经营",
                "《中华人民共和国道路运输条例》第六十三条",
                ["没收违法所得", "罚款"],
                (10_000, 100_000),
            ),
            (
                "货运车辆超限运输",
                "《公路安全保护条例》第六十四条",
                ["罚款"],
                (500, 30_000),
            ),
        ],
        [
            (
                "道路运输经营许可",
                "《中华人民共和国道路运输条例》第二十四条",
                "准予道路普通货物运输经营许可",
            ),
        ],
    ),
    (
        "宁晋县住房和城乡建设局",
        "宁住建",
        6,
        [
            (
                "未取得施工许可证擅自施工",
                "《中华人民共和国建筑法》第六十四条；《建设工程质量管理条例》第五十七条",
                ["罚款"],
                (10_000, 300_000),
            ),
            (
                "施工现场扬尘污染防治措施不到位",
                "《中华人民共和国大气污染防治法》第一百一十五条",
                ["罚款"],
                (10_000, 100_000),
            ),
        ],
        [
            ("建筑工程施工许可", "《中华人民共和国建筑法》第七条", "核发建筑工程施工许可证"),
        ],
    ),
    (
        "宁晋县农业农村局",
        "宁农",
        5,
        [
            (
                "经营假农药",
                "《农药管理条例》第五十五条",
                ["没收违法所得", "罚款"],
                (5_000, 100_000),
            ),
            (
                "销售未经审定的农作物种子",
                "《中华人民共和国种子法》第七十七条",
                ["没收违法所得", "罚款"],
                (2_000, 50_000),
            ),
        ],
        [
            ("农药经营许可", "《农药管理条例》第二十四条", "准予农药经营许可"),
        ],
    ),
    (
        "宁晋县文化广电和旅游局",
        "宁文旅",
        4,
        [
            (
                "擅自从事互联网上网服务经营活动",
                "《互联网上网服务营业场所管理条例》第二十七条",
                ["没收违法所得", "罚款"],
                (5_000, 50_000),
            ),
            (
                "接纳未成年人进入营业性娱乐场所",
                "《娱乐场所管理条例》第四十八条",
                ["警告", "罚款"],
                (5_000, 20_000),
            ),
        ],
        [
            ("娱乐场所经营许可", "《娱乐场所管理条例》第九条", "准予娱乐场所经营许可"),
        ],
    ),
    (
        "宁晋县卫生健康局",
        "宁卫健",
        6,
        [
            (
                "公共场所未取得健康合格证明的从业人员从事直接为顾客服务的工作",
                "《公共场所卫生管理条例实施细则》第三十八条",
                ["警告", "罚款"],
                (500, 5_000),
            ),
            (
                "非医师行医",
                "《中华人民共和国医师法》第五十九条",
                ["没收违法所得", "罚款"],
                (10_000, 100_000),
            ),
            (
                "医疗机构使用非卫生技术人员从事医疗卫生技术工作",
                "《医疗机构管理条例》第四十七条",
                ["警告", "罚款"],
                (5_000, 50_000),
            ),
        ],
        [
            ("公共场所卫生许可", "《公共场所卫生管理条例》第八条", "核发公共场所卫生许可证"),
            ("医疗机构执业登记", "《医疗机构管理条例》第十四条", "准予医疗机构执业登记"),
        ],
    ),
    (
        "宁晋县自然资源和规划局",
        "宁自然",
        5,
        [
            (
                "非法占用土地",
                "《中华人民共和国土地管理法》第七十七条第一款",
                ["罚款"],
                (10_000, 500_000),
            ),
            (
                "未取得采矿许可证擅自采矿",
                "《中华人民共和国矿产资源法》第三十九条",
                ["没收违法所得", "罚款"],
                (50_000, 500_000),
            ),
        ],
        [
            (
                "建设用地规划许可",
                "《中华人民共和国城乡规划法》第三十七条",
                "核发建设用地规划许可证",
            ),
        ],
    ),
    (
        "宁晋县水利局",
        "宁水",
        3,
        [
            (
                "未经批准擅自取水",
                "《中华人民共和国水法》第六十九条第一项",
                ["罚款"],
                (20_000, 100_000),
            ),
            (
                "在河道管理范围内违法采砂",
                "《中华人民共和国河道管理条例》第四十四条",
                ["没收违法所得", "罚款"],
                (10_000, 100_000),
            ),
        ],
        [
            ("取水许可", "《取水许可和水资源费征收管理条例》第三条", "准予取水许可"),
        ],
    ),
    (
        "宁晋县消防救援大队",
        "宁消",
        6,
        [
            (
                "消防设施、器材未保持完好有效",
                "《中华人民共和国消防法》第六十条第一款第一项",
                ["罚款"],
                (5_000, 50_000),
            ),
            (
                "占用、堵塞、封闭疏散通道、安全出口",
                "《中华人民共和国消防法》第六十条第一款第三项",
                ["罚款"],
                (5_000, 50_000),
            ),
        ],
        [
            (
                "公众聚集场所投入使用、营业前消防安全检查",
                "《中华人民共和国消防法》第十五条",
                "准予投入使用、营业",
            ),
        ],
    ),
    (
        "宁晋县城市管理综合行政执法局",
        "宁城管",
        5,
        [
            (
                "擅自占用城市道路",
                "《城市道路管理条例》第四十二条",
                ["罚款"],
                (500, 20_000),
            ),
            (
                "未经批准设置户外广告",
                "《城市市容和环境卫生管理条例》第三十六条",
                ["罚款"],
                (500, 10_000),
            ),
        ],
        [
            ("城市建筑垃圾处置核准", "《城市建筑垃圾管理规定》第七条", "准予建筑垃圾处置"),
        ],
    ),
    (
        "宁晋县人力资源和社会保障局",
        "宁人社",
        2,
        [
            (
                "未按规定支付劳动者工资",
                "《保障农民工工资支付条例》第五十四条",
                ["罚款"],
                (5_000, 50_000),
            ),
        ],
        [
            ("劳务派遣经营许可", "《中华人民共和国劳动合同法》第五十七条", "准予劳务派遣经营许可"),
        ],
    ),
]

TRADE_NAMES = [
    "华信",
    "鑫源",
    "恒达",
    "瑞丰",
    "金泰",
    "宏远",
    "永盛",
    "博创",
    "中科",
    "天成",
    "嘉禾",
    "盛世",
    "通达",
    "兴隆",
    "汇丰",
    "龙腾",
    "旭日",
    "德润",
    "正泰",
    "长城",
    "万家",
    "福瑞",
    "康泰",
    "晨光",
    "明远",
    "宝丰",
    "新华",
    "联创",
    "东方",
    "北辰",
    "泽润",
    "安顺",
    "益民",
    "鼎盛",
    "信达",
    "弘毅",
    "广源",
    "华晨",
    "锦程",
    "凯旋",
    "顺发",
    "海川",
    "冀中",
    "晋州",
    "泊阳",
    "唐邑",
    "凤凰",
    "河渠",
    "苏家庄",
    "大陆泽",
]
TRADES = [
    "食品",
    "商贸",
    "建材",
    "物流",
    "餐饮",
    "医药",
    "化工",
    "科技",
    "机械",
    "纺织",
    "农业",
    "电子",
    "能源",
    "建筑工程",
    "汽车服务",
    "房地产开发",
    "文化传媒",
    "网络科技",
    "环保科技",
    "新材料",
    "酒店管理",
    "超市",
    "五金",
    "塑料制品",
    "木业",
]
FORMS = ["有限公司", "有限责任公司", "股份有限公司", "商贸部", "经营部"]
SURNAMES = list("王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘")
SURNAMES += ["欧阳", "司马", "诸葛"]
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英建华志国红玉文辉")
STREETS = ["凤凰路", "西城大街", "长安路", "团结路", "振兴路", "泊阳大街", "建设路", "人民路"]
TOWNS = ["凤凰镇", "河渠镇", "北河庄镇", "耿庄桥镇", "东汪镇", "贾家口镇", "四芝兰镇", "大陆村镇"]
# A rare matter, in about one decision in 20,000: the benchmark's "rare word" query.
RARE = (
    "销售含有非法添加物罂粟壳的火锅底料",
    "《中华人民共和国食品安全法》第一百二十三条第一款",
    ["没收违法所得", "罚款"],
    (50_000, 150_000),
)

PERSON_SHARE = 0.3
LICENCE_SHARE = 0.25
YEARS = 5


# --- codes --------------------------------------------------------------------------------------


def _uscc(serial: int) -> str:
    from zhifa.core.codes import uscc_check_char

    first17 = f"91{REGION_CODE}MA{serial:08X}"[:17]
    return first17 + uscc_check_char(first17)


def _resident_id(rng: random.Random) -> str:
    from zhifa.core.codes import resident_id_check_char

    born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(40 * 365))
    first17 = f"{REGION_CODE}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + resident_id_check_char(first17)


# --- base world ---------------------------------------------------------------------------------


def make_base() -> dict:
    """Agencies, a publisher account and one approved item version per matter; returns what
    the bulk rows refer to. Runs through the ORM (a few hundred rows)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from zhifa.catalog.models import (
        EnforcementItem,
        EnforcementItemVersion,
        FlowDefinition,
        ItemKind,
        VersionStatus,
    )
    from zhifa.org.models import Agency, Unit

    user = get_user_model().objects.create_user(username="bench", password=None)
    flows = {
        ItemKind.PENALTY: FlowDefinition.objects.get(code="penalty.ordinary"),
        ItemKind.LICENCE: FlowDefinition.objects.get(code="licence"),
    }
    now = timezone.now()
    base = {"user_id": user.pk, "agencies": []}
    for serial, (name, short, weight, penalties, licences) in enumerate(AGENCIES, start=1):
        agency = Agency.objects.create(
            name=name,
            short_name=short,
            credit_code=_gov_code(serial),
            region_code=REGION_CODE,
            region_name=f"河北省邢台市{REGION}",
            address=f"{REGION}{STREETS[serial % len(STREETS)]}{serial * 7}号",
            phone=f"0319-58{serial:05d}",
        )
        unit = Unit.objects.create(agency=agency, name="执法科")
        items = []
        for index, (kind, matters) in enumerate(
            [
                (ItemKind.PENALTY, penalties + ([RARE] if short == "宁市监" else [])),
                (ItemKind.LICENCE, licences),
            ]
        ):
            for number, matter in enumerate(matters, start=1):
                code = f"{'CF' if kind == ItemKind.PENALTY else 'XK'}-{index}{number:03d}"
                item = EnforcementItem.objects.create(agency=agency, code=code)
                version = EnforcementItemVersion.objects.create(
                    item=item,
                    number=1,
                    name=matter[0] if kind == ItemKind.LICENCE else f"对{matter[0]}的处罚",
                    kind=kind,
                    unit=unit,
                    duties="依法履行监督管理职责",
                    powers=matter[1],
                    discretion=[],
                    flow=flows[kind],
                    status=VersionStatus.APPROVED,
                    created_by=user,
                    approved_by=user,
                    approved_at=now,
                )
                item.current_version = version
                item.save(update_fields=["current_version"])
                items.append((kind, matter, version.pk, flows[kind].pk))
        base["agencies"].append(
            {
                "id": agency.pk,
                "name": name,
                "short": short,
                "weight": weight,
                "penalties": [i for i in items if i[0] == ItemKind.PENALTY and i[1] is not RARE],
                "rare": [i for i in items if i[1] is RARE],
                "licences": [i for i in items if i[0] == ItemKind.LICENCE],
                "phone": agency.phone,
                "address": agency.address,
            }
        )
    return base


def _gov_code(serial: int) -> str:
    """A 统一社会信用代码 of a government body (登记管理部门 1, 机构类别 1)."""
    from zhifa.core.codes import uscc_check_char

    first17 = f"11{REGION_CODE}{serial:09d}"
    return first17 + uscc_check_char(first17)


# --- rows ---------------------------------------------------------------------------------------


def _yuan(amount: int) -> str:
    return f"{amount:,}.00"


def _canonical(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class Generator:
    """Deterministic rows for decision number i (1-based): same seed, same data."""

    def __init__(self, base: dict, today: dt.date, seed: int = 20261127):
        self.base = base
        self.today = today
        self.rng = random.Random(seed)
        self.weights = [a["weight"] for a in base["agencies"]]
        self.counters: dict[tuple[int, int, str], int] = {}
        self.span = (today - _add_years(today, -YEARS)).days

    def decision(self, i: int) -> dict:
        rng = self.rng
        agency = rng.choices(self.base["agencies"], self.weights)[0]
        person = rng.random() < PERSON_SHARE
        licence = rng.random() < LICENCE_SHARE
        days_back = rng.randrange(700 if person else self.span - 30)
        decided = self.today - dt.timedelta(days=days_back)
        published_on = decided + dt.timedelta(days=rng.randrange(1, 8))
        if published_on > self.today:
            published_on = self.today
        if licence:
            kind, (_, matter, version_id, flow_id) = "licence", rng.choice(agency["licences"])
        elif agency["rare"] and rng.random() < 1 / 20_000 * 3.3:  # 宁市监 has 30 % of rows
            kind, (_, matter, version_id, flow_id) = "penalty", agency["rare"][0]
        else:
            kind, (_, matter, version_id, flow_id) = "penalty", rng.choice(agency["penalties"])
        key = (agency["id"], decided.year, kind)
        seq = self.counters.get(key, 0) + 1
        self.counters[key] = seq
        letter = "许" if kind == "licence" else "罚"
        number = f"{agency['short']}{letter}〔{decided.year}〕{seq}号"
        street = rng.choice(STREETS)
        if person:
            surname = rng.choice(SURNAMES)
            name = surname + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            shown = surname + "某某"
            id_number = _resident_id(rng)
            phone = f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"
            address = (
                f"{REGION}{rng.choice(TOWNS)}{rng.choice(SURNAMES)}家庄村{rng.randrange(1, 300)}号"
            )
            party = {"kind": "person", "name": name, "id_number": id_number, "credit_code": ""}
            party |= {"phone": phone, "address": address, "legal_representative": ""}
            credit = ""
            ident = f"公民身份号码：{id_number}"
            ident_masked = f"公民身份号码：{id_number[:6]}{'*' * 12}"
            address_masked = "**"
            phone_masked = f"{phone[:3]}****{phone[-4:]}"
        else:
            trade = rng.choice(TRADE_NAMES)
            name = f"{REGION}{trade}{rng.choice(TRADES)}{rng.choice(FORMS)}"
            shown = name
            credit = _uscc(rng.randrange(16**8))
            boss = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            phone = f"0319-{rng.randrange(5000000, 5999999)}"
            address = f"{REGION}{street}{rng.randrange(1, 500)}号"
            party = {"kind": "organisation", "name": name, "id_number": "", "credit_code": credit}
            party |= {"phone": phone, "address": address, "legal_representative": boss}
            ident = f"统一社会信用代码：{credit}\n法定代表人：{boss}"
            ident_masked = f"统一社会信用代码：{credit}\n法定代表人：{boss[0]}某某"
            address_masked = address
            phone_masked = f"0319-*****{phone[-2:]}"
        violation, basis, category = matter[0], matter[1], matter[2]
        fine = 0
        if kind == "penalty" and matter[3]:
            low, high = matter[3]
            fine = rng.randrange(low // 100, high // 100 + 1) * 100
        category_text = "、".join(category) if kind == "penalty" else category
        found = decided - dt.timedelta(days=rng.randrange(20, 90))
        if kind == "penalty":
            facts = (
                f"{found:%Y年%m月%d日}，执法人员依法对当事人位于{REGION}{street}的经营场所进行检查，"
                f"发现当事人存在{violation}的行为。经调查，上述事实有现场检查笔录、询问笔录、"
                "照片及视听资料等证据证实，当事人对违法事实无异议。"
            )
            ruling = f"给予{category_text}"
            if fine:
                ruling += f"，罚款人民币{_yuan(fine)}元"
            body = (
                f"当事人的上述行为违反了有关法律法规的规定。依据{basis}的规定，本机关决定{ruling}。"
                "当事人应当自收到本决定书之日起十五日内缴纳罚款。如不服本决定，可以在收到本决定书之日起"
                "六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。"
            )
            title = "行政处罚决定书"
        else:
            facts = (
                f"当事人于{found:%Y年%m月%d日}向本机关提出{violation}申请，经审查，申请材料齐全、"
                "符合法定形式，现场核查符合法定条件、标准。"
            )
            body = (
                f"根据{basis}的规定，本机关决定{category}，有效期五年。被许可人应当按照许可的范围、"
                "条件和期限从事相关活动，变更有关事项的，应当依法申请变更。"
            )
            title = "准予行政许可决定书"
        head = f"{agency['name']}\n{title}\n{number}\n"
        contact = "住所（地址）：{address}\n联系电话：{phone}\n"
        tail = f"\n{agency['name']}\n{decided:%Y年%m月%d日}"
        text = (
            head
            + f"当事人：{name}\n{ident}\n"
            + contact.format(address=address, phone=phone)
            + f"{'事实' if kind == 'penalty' else '审查意见'}：{facts}\n{body}"
            + tail
        )
        text_masked = (
            head
            + f"当事人：{shown}\n{ident_masked}\n"
            + contact.format(address=address_masked, phone=phone_masked)
            + f"{'事实' if kind == 'penalty' else '审查意见'}：{facts}\n{body}"
            + tail
        )
        years = 2 if person else 5
        expires = _add_years(published_on, years)
        fields = {
            "party_name": name,
            "party_kind": "自然人" if person else "法人或其他组织",
            "credit_code": credit,
            "document_number": number,
            "matter": violation,
            "basis": basis,
            "category": category_text,
            "fine_yuan": _yuan(fine) if fine else "",
            "decided_on": decided.isoformat(),
            "valid_until": _add_years(decided, 5).isoformat() if kind == "licence" else "",
            "authority": agency["name"],
            "publish_until": "",
        }
        masked = fields | {"party_name": shown, "publish_until": expires.isoformat()}
        return {
            "i": i,
            "agency_id": agency["id"],
            "kind": kind,
            "person": person,
            "party": party,
            "version_id": version_id,
            "flow_id": flow_id,
            "title": violation,
            "decided": decided,
            "found": found,
            "published_on": published_on,
            "expires": expires,
            "number": number,
            "case_number": f"{agency['short']}{letter}{decided.year}-{seq:06d}",
            "penalty_types": category if kind == "penalty" else [],
            "fine": fine * 100,
            "content": category_text,
            "facts": facts,
            "fields": fields,
            "text": text,
            "masked_fields": masked,
            "masked_text": text_masked,
        }


# --- writing ------------------------------------------------------------------------------------


def _columns(model, values: dict, vendor: str) -> tuple[list[str], list]:
    """Every concrete column of `model`, with the given values (already in database form)
    or the field's default; returns (column names, default row)."""
    names, row = [], []
    for f in model._meta.concrete_fields:
        names.append(f.column)
        if f.attname in values:
            row.append(values[f.attname])
            continue
        default = f.get_default()
        if f.get_internal_type() == "JSONField":
            default = json.dumps(default, ensure_ascii=False)
        elif isinstance(default, bool) and vendor == "sqlite":
            default = int(default)
        row.append(default)
    return names, row


class Writer:
    """Batched inserts of fixed-shape rows: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, connection):
        self.connection = connection
        self.vendor = connection.vendor
        self.raw = connection.connection

    def write(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        quoted = ", ".join(f'"{c}"' for c in columns)
        if self.vendor == "postgresql":
            sql = f'COPY "{table}" ({quoted}) FROM STDIN'
            with self.raw.cursor() as cursor, cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(columns))
            self.raw.executemany(f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})', rows)


def _datetime(day: dt.date, seconds: int, vendor: str) -> str:
    """A UTC timestamp on `day` in the database's text form."""
    moment = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds)
    text = moment.strftime("%Y-%m-%d %H:%M:%S")
    return text + "+00:00" if vendor == "postgresql" else text


def generate(
    n: int,
    *,
    batch: int = 20_000,
    progress: Callable[[int], None] | None = None,
    today: dt.date | None = None,
) -> dict:
    """Write `n` published decisions into the current (migrated, empty) database."""
    from django.db import connection, transaction
    from django.utils import timezone

    from zhifa.cases.models import Case, Party
    from zhifa.disclosure.models import Disclosure, PublishedVersion

    today = today or timezone.localdate()
    with transaction.atomic():
        base = make_base()
    vendor = connection.vendor
    connection.ensure_connection()
    if vendor == "sqlite":
        # Bulk load only (the file is thrown away if the run dies): a large page cache keeps
        # the indexes' random inserts in memory; no fsync per batch.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -2000000")
            cursor.execute("PRAGMA synchronous = OFF")
    writer = Writer(connection)
    gen = Generator(base, today)
    user = base["user_id"]

    def as_bool(value: bool):
        return int(value) if vendor == "sqlite" else value

    party_cols, party_default = _columns(Party, {}, vendor)
    case_cols, case_default = _columns(Case, {}, vendor)
    disc_cols, disc_default = _columns(Disclosure, {}, vendor)
    ver_cols, ver_default = _columns(PublishedVersion, {}, vendor)
    pidx = {c: k for k, c in enumerate(party_cols)}
    cidx = {c: k for k, c in enumerate(case_cols)}
    didx = {c: k for k, c in enumerate(disc_cols)}
    vidx = {c: k for k, c in enumerate(ver_cols)}

    def rows_for(d: dict) -> tuple[tuple, tuple, tuple, tuple]:
        i = d["i"]
        stamp = _datetime(d["published_on"], 3600 + i % 30000, vendor)
        created = _datetime(d["found"], 3600 + i % 30000, vendor)
        p = list(party_default)
        party = d["party"]
        p[pidx["id"]] = i
        p[pidx["agency_id"]] = d["agency_id"]
        for key in ("kind", "name", "id_number", "credit_code", "phone", "address"):
            p[pidx[key]] = party[key]
        p[pidx["legal_representative"]] = party["legal_representative"]
        p[pidx["is_minor"]] = as_bool(False)
        p[pidx["created_at"]] = created
        c = list(case_default)
        values = {
            "id": i,
            "agency_id": d["agency_id"],
            "number": d["case_number"],
            "kind": d["kind"],
            "procedure": "ordinary",
            "item_version_id": d["version_id"],
            "flow_id": d["flow_id"],
            "party_id": i,
            "title": d["title"],
            "source": "监督检查" if d["kind"] == "penalty" else "申请",
            "step": "archived",
            "status": "archived",
            "outcome": "penalty" if d["kind"] == "penalty" else "granted",
            "created_by_id": user,
            "created_at": created,
            "registered_on": d["found"].isoformat(),
            "filed_on": d["found"].isoformat(),
            "decided_on": d["decided"].isoformat(),
            "decision_number": d["number"],
            "penalty_types": json.dumps(d["penalty_types"], ensure_ascii=False),
            "fine_amount": d["fine"],
            "decision_content": d["content"],
            "facts": d["facts"],
            "closed_on": d["published_on"].isoformat(),
        }
        for key, value in values.items():
            c[cidx[key]] = value
        s = list(disc_default)
        values = {
            "id": i,
            "agency_id": d["agency_id"],
            "case_id": i,
            "kind": d["kind"],
            "status": "published",
            "decided_on": d["decided"].isoformat(),
            "due_on": (d["decided"] + dt.timedelta(days=9)).isoformat(),
            "fields": json.dumps(d["fields"], ensure_ascii=False),
            "text": d["text"],
            "source": "根据案件信息生成",
            "prepared_by_id": user,
            "reviewed_by_id": user,
            "reviewed_at": stamp,
            "published_by_id": user,
            "published_at": stamp,
            "expires_on": d["expires"].isoformat(),
            "created_at": created,
        }
        if "public_seq" in didx:  # the open-data cursor: synthetic, like event_seq
            values["public_seq"] = i
        for key, value in values.items():
            s[didx[key]] = value
        s[didx["deadline_provisional"]] = as_bool(False)
        s[didx["secret"]] = as_bool(False)
        document = {
            "disclosure": i,
            "version": 1,
            "fields": d["masked_fields"],
            "text": d["masked_text"],
        }
        v = list(ver_default)
        values = {
            "id": i,
            "disclosure_id": i,
            "number": 1,
            "fields": json.dumps(d["masked_fields"], ensure_ascii=False),
            "text": d["masked_text"],
            "content_sha256": hashlib.sha256(_canonical(document)).hexdigest(),
            "event_seq": i,  # synthetic: the benchmark writes no ledger events
            "published_by_id": user,
            "published_at": stamp,
        }
        for key, value in values.items():
            v[vidx[key]] = value
        return tuple(p), tuple(c), tuple(s), tuple(v)

    tables = [
        (Party._meta.db_table, party_cols),
        (Case._meta.db_table, case_cols),
        (Disclosure._meta.db_table, disc_cols),
        (PublishedVersion._meta.db_table, ver_cols),
    ]
    for start in range(1, n + 1, batch):
        stop = min(start + batch, n + 1)
        columns: list[list[tuple]] = [[], [], [], []]
        for i in range(start, stop):
            for k, row in enumerate(rows_for(gen.decision(i))):
                columns[k].append(row)
        with transaction.atomic():
            for (table, cols), rows in zip(tables, columns, strict=True):
                writer.write(table, cols, rows)
        if progress:
            progress(stop - start)
    if vendor == "postgresql":
        from django.core.management.color import no_style

        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(
                no_style(), [Party, Case, Disclosure, PublishedVersion]
            ):
                cursor.execute(sql)
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return base

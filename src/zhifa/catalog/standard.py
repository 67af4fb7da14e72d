"""The standard flows (P6/C1/C4) and document templates (P9), as data.

`load()` is idempotent: flows and steps are matched by code and brought in line with the
definitions below (transitions are replaced); standard templates are created when missing
and never overwritten, so an edited template survives. It runs after every `migrate` and from
`zhifa catalog load-standard`.

Abbreviations in citations: 处罚法 = 《中华人民共和国行政处罚法》(2021); 许可法 = 《中华人民共和国
行政许可法》(2019); 118号 = 国办发〔2018〕118号.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from zhifa.catalog.models import (
    Carrier,
    ClockUnit,
    DocumentKind,
    DocumentTemplate,
    FlowDefinition,
    FlowStep,
    FlowTransition,
    ItemKind,
)
from zhifa.org.roles import Role

TEXT, AV, PHOTO, DATA = Carrier.TEXT, Carrier.AUDIO_VIDEO, Carrier.PHOTO, Carrier.ELECTRONIC
WORKING, CALENDAR = ClockUnit.WORKING, ClockUnit.CALENDAR
OFFICER, HEAD, LEADER = Role.OFFICER.value, Role.UNIT_HEAD.value, Role.LEADER.value
REVIEWER, OFFICE = Role.REVIEWER.value, Role.OFFICE.value


@dataclass(frozen=True)
class Clock:
    days: int
    unit: str
    basis: str
    start: str = ""  # code of the step the period runs from; "" = this step's start
    note: str = ""


@dataclass(frozen=True)
class Step:
    code: str
    name: str
    roles: tuple[str, ...]
    content: str
    method: str
    carriers: tuple[str, ...]
    basis: str = ""
    next: tuple[tuple[str, str], ...] = ()  # (target code, condition label)
    requires_av: bool = False
    officers: int = 0
    optional: bool = False
    branch: bool = False
    final: bool = False
    clock: Clock | None = None


@dataclass(frozen=True)
class Flow:
    code: str
    name: str
    kind: str
    description: str
    basis: str
    steps: tuple[Step, ...] = field(default_factory=tuple)


ARCHIVE = Step(
    "archive",
    "归档",
    (OFFICER, OFFICE),
    "电子案卷：文书、证据、音像记录按办理顺序编目归档，卷内目录、页码",
    "整理立卷，电子案卷导出并校验",
    (TEXT, AV, DATA),
    basis="118号（全过程记录归档）；河北省行政执法案卷标准",
    final=True,
)

PENALTY_ORDINARY = Flow(
    "penalty.ordinary",
    "行政处罚（普通程序）",
    ItemKind.PENALTY,
    "立案、调查取证、审查、法制审核、告知、听证、决定、送达、执行、结案、归档。",
    "《中华人民共和国行政处罚法》第五章第三节、第四节，第六章",
    (
        Step(
            "clue",
            "线索登记",
            (OFFICER,),
            "案件来源（投诉举报、监督检查、移送、交办）、当事人、违法线索、登记人和时间",
            "填写案件线索登记表",
            (TEXT, DATA),
            basis="处罚法第五十四条",
            next=(("filing", ""),),
        ),
        Step(
            "filing",
            "立案审批",
            (HEAD, LEADER),
            "立案审批表：案由、当事人、立案依据、承办人员、审批意见",
            "书面审批，负责人签署意见",
            (TEXT,),
            basis="处罚法第五十四条",
            next=(("investigate", "予以立案"), ("no_filing", "不予立案")),
            clock=Clock(
                15,
                WORKING,
                "处罚法第五十四条（及时立案）；期限按市场监管领域做法，可配置",
                start="clue",
                note="自发现线索之日起15个工作日内决定是否立案，特殊情况可延长15个工作日",
            ),
        ),
        Step(
            "no_filing",
            "不予立案",
            (HEAD, LEADER),
            "不予立案的理由，告知投诉举报人",
            "书面审批",
            (TEXT,),
            basis="处罚法第五十四条",
            next=(("archive", ""),),
            branch=True,
        ),
        Step(
            "investigate",
            "调查取证",
            (OFFICER,),
            "现场检查笔录、询问笔录、书证、物证、视听资料、电子数据、先行登记保存清单",
            "两名以上持证执法人员出示执法证件，文字记录并全程音像记录",
            (TEXT, AV, PHOTO, DATA),
            basis="处罚法第四十二条、第四十六条、第四十七条、第五十五条、第五十六条",
            next=(("report", "调查终结"), ("withdraw", "撤案")),
            requires_av=True,
            officers=2,
            clock=Clock(
                7,
                WORKING,
                "处罚法第五十六条",
                note="先行登记保存的，应在7个工作日内作出处理决定",
            ),
        ),
        Step(
            "withdraw",
            "撤案",
            (HEAD, LEADER),
            "撤案理由（违法事实不能成立、超过追责时效等），负责人审批",
            "书面审批",
            (TEXT,),
            basis="处罚法第三十六条、第五十七条",
            next=(("archive", ""),),
            branch=True,
        ),
        Step(
            "report",
            "调查终结、案件审查",
            (OFFICER, HEAD),
            "调查终结报告：违法事实、证据、处罚依据、裁量理由、处理意见；审查意见",
            "书面报告，承办科室负责人审查",
            (TEXT,),
            basis="处罚法第五十七条",
            next=(("legal_review", "须法制审核"), ("prior_notice", "")),
        ),
        Step(
            "legal_review",
            "法制审核",
            (REVIEWER,),
            "法制审核意见书：执法主体、人员资格、程序、事实、证据、法律适用、裁量基准、"
            "权限、文书、是否涉嫌犯罪",
            "书面审核，编号出具审核意见",
            (TEXT,),
            basis="处罚法第五十八条；118号",
            next=(("prior_notice", "审核通过"), ("investigate", "退回补充调查")),
            optional=True,
            clock=Clock(
                7,
                WORKING,
                "本县重大执法决定法制审核办法（默认值，可配置）",
                note="审核期限默认7个工作日，经批准可延长5个工作日",
            ),
        ),
        Step(
            "prior_notice",
            "事先告知",
            (OFFICER, HEAD),
            "行政处罚事先告知书：拟作出的处罚内容、事实、理由、依据，陈述、申辩、听证权利",
            "制作告知书并送达，记录当事人陈述申辩",
            (TEXT,),
            basis="处罚法第四十四条、第四十五条、第六十二条、第六十三条",
            next=(("hearing", "当事人申请听证"), ("collective", "须集体讨论"), ("decide", "")),
            clock=Clock(
                5,
                WORKING,
                "处罚法第六十四条",
                note="当事人在告知后5个工作日内提出听证要求",
            ),
        ),
        Step(
            "hearing",
            "听证",
            (LEADER, REVIEWER, OFFICER),
            "听证通知书、听证笔录（当事人或代理人签字）、听证报告；主持人非本案调查人员",
            "举行听证会，文字记录并全程录音录像",
            (TEXT, AV),
            basis="处罚法第六十三条、第六十四条、第六十五条",
            next=(("legal_review", "听证后法制审核"), ("collective", "须集体讨论"), ("decide", "")),
            requires_av=True,
            optional=True,
            clock=Clock(
                7,
                WORKING,
                "处罚法第六十四条",
                note="举行听证的7日前通知当事人时间和地点",
            ),
        ),
        Step(
            "collective",
            "集体讨论",
            (LEADER,),
            "集体讨论记录：参加人员、案情汇报、讨论意见、决定",
            "负责人集体讨论，记录签名",
            (TEXT,),
            basis="处罚法第五十七条第二款",
            next=(("decide", ""),),
            optional=True,
        ),
        Step(
            "decide",
            "决定",
            (LEADER,),
            "行政处罚决定书：当事人、违法事实和证据、处罚种类和依据、履行方式和期限、"
            "复议和诉讼途径及期限、机关名称、日期、印章",
            "负责人审批签发，文书编号",
            (TEXT,),
            basis="处罚法第五十七条、第五十九条、第六十条",
            next=(("serve", "作出处罚"), ("no_penalty", "不予处罚"), ("transfer", "移送")),
            clock=Clock(
                90,
                CALENDAR,
                "处罚法第六十条",
                start="filing",
                note="自立案之日起90日内作出决定，依法延长的除外",
            ),
        ),
        Step(
            "no_penalty",
            "不予处罚",
            (LEADER,),
            "不予行政处罚决定书及理由",
            "负责人审批签发",
            (TEXT,),
            basis="处罚法第三十条至第三十三条、第五十七条",
            next=(("serve", "送达决定书"),),
            branch=True,
        ),
        Step(
            "transfer",
            "移送",
            (LEADER,),
            "案件移送书、材料清单、接收回执（涉嫌犯罪的移送司法机关，不属本机关管辖的移送有权机关）",
            "负责人审批，书面移送",
            (TEXT,),
            basis="处罚法第二十二条、第二十七条、第五十七条",
            next=(("close", ""),),
            branch=True,
        ),
        Step(
            "serve",
            "送达",
            (OFFICER,),
            "送达回证：送达方式（直接、留置、邮寄、电子、公告）、日期、受送达人签收",
            "当场交付或7日内送达；电子送达须当事人书面同意；留置、公告送达全程音像记录",
            (TEXT, AV, PHOTO),
            basis="处罚法第六十一条",
            next=(("execute", ""), ("close", "无需执行")),
            requires_av=True,
            clock=Clock(7, WORKING, "处罚法第六十一条、第八十五条", start="decide"),
        ),
        Step(
            "execute",
            "执行",
            (OFFICER,),
            "罚款缴纳凭证、履行情况、催告书、加处罚款、申请强制执行材料",
            "核对缴款和履行情况，书面记录",
            (TEXT, DATA),
            basis="处罚法第六十七条、第七十二条、第七十三条",
            next=(("close", ""),),
            clock=Clock(
                15,
                CALENDAR,
                "处罚法第六十七条",
                start="serve",
                note="逾期不缴纳的，每日按罚款数额的3%加处罚款（第七十二条）",
            ),
        ),
        Step(
            "close",
            "结案",
            (HEAD, LEADER),
            "结案报告：处理结果、执行情况",
            "负责人审批",
            (TEXT,),
            basis="河北省行政执法案卷标准",
            next=(("archive", ""),),
        ),
        ARCHIVE,
    ),
)

PENALTY_SIMPLE = Flow(
    "penalty.simple",
    "行政处罚（简易程序·当场处罚）",
    ItemKind.PENALTY,
    "违法事实确凿并有法定依据，对公民处200元以下、对法人或其他组织处3000元以下罚款或者警告的，"
    "可以当场作出行政处罚决定。",
    "《中华人民共和国行政处罚法》第五章第二节（第五十一条至第五十三条），第六十八条至第七十一条",
    (
        Step(
            "onspot_check",
            "现场检查",
            (OFFICER,),
            "违法事实、当事人身份、现场照片",
            "执法人员出示执法证件，文字记录并全程音像记录",
            (TEXT, AV, PHOTO),
            basis="处罚法第四十二条、第四十七条、第五十二条",
            next=(("onspot_notice", ""),),
            requires_av=True,
            officers=2,
        ),
        Step(
            "onspot_notice",
            "当场告知",
            (OFFICER,),
            "告知违法事实、处罚理由和依据，听取陈述申辩",
            "口头告知并记入决定书，音像记录",
            (TEXT, AV),
            basis="处罚法第四十四条、第四十五条、第五十二条",
            next=(("onspot_decide", ""),),
        ),
        Step(
            "onspot_decide",
            "当场处罚决定",
            (OFFICER,),
            "预定格式、编有号码的当场行政处罚决定书：违法行为、处罚依据、罚款数额、时间地点、"
            "复议和诉讼途径、机关名称，执法人员签名或盖章",
            "填写并当场交付，限警告或公民200元以下、组织3000元以下罚款",
            (TEXT,),
            basis="处罚法第五十一条、第五十二条",
            next=(("onspot_pay", ""),),
        ),
        Step(
            "onspot_pay",
            "缴纳罚款",
            (OFFICER,),
            "缴款凭证；当场收缴的，出具财政部门统一制发的专用票据",
            "当场收缴限100元以下或事后难以执行的；收缴的罚款2个工作日内交至行政机关",
            (TEXT, DATA),
            basis="处罚法第六十七条至第七十一条",
            next=(("onspot_file", ""),),
            clock=Clock(
                15,
                CALENDAR,
                "处罚法第六十七条",
                start="onspot_decide",
                note="当场收缴的罚款自收缴之日起2个工作日内交至行政机关（第七十一条）",
            ),
        ),
        Step(
            "onspot_file",
            "报机关备案",
            (OFFICER, HEAD),
            "当场处罚决定书存根、音像记录报所属行政机关备案",
            "书面备案",
            (TEXT, AV),
            basis="处罚法第五十二条第三款",
            next=(("archive", ""),),
        ),
        ARCHIVE,
    ),
)

LICENCE = Flow(
    "licence",
    "行政许可",
    ItemKind.LICENCE,
    "申请、受理、审查（含现场核查）、法制审核、决定、送达、公示、归档。",
    "《中华人民共和国行政许可法》第四章（第二十九条至第五十七条）",
    (
        Step(
            "apply",
            "申请",
            (OFFICER,),
            "申请书及申请材料、申请人身份、收件时间",
            "窗口或在线收件，登记收件清单",
            (TEXT, DATA),
            basis="许可法第二十九条、第三十条、第三十一条",
            next=(("accept", "予以受理"), ("correction", "材料不全"), ("not_accepted", "不予受理")),
        ),
        Step(
            "correction",
            "一次性告知补正",
            (OFFICER,),
            "补正材料通知书：一次性告知需要补正的全部内容",
            "当场或5个工作日内书面告知",
            (TEXT,),
            basis="许可法第三十二条第一款第（四）项",
            next=(("accept", "补正后受理"),),
            branch=True,
            clock=Clock(
                5,
                WORKING,
                "许可法第三十二条、第八十二条",
                start="apply",
                note="逾期不告知的，自收到申请材料之日起即为受理",
            ),
        ),
        Step(
            "not_accepted",
            "不予受理",
            (OFFICER, HEAD),
            "不予受理决定书：理由，复议和诉讼权利",
            "出具加盖专用印章并注明日期的书面凭证",
            (TEXT,),
            basis="许可法第三十二条",
            next=(("archive", ""),),
            branch=True,
        ),
        Step(
            "accept",
            "受理",
            (OFFICER,),
            "受理通知书（加盖专用印章、注明日期）",
            "出具书面凭证",
            (TEXT,),
            basis="许可法第三十二条",
            next=(("review", ""),),
        ),
        Step(
            "review",
            "审查",
            (OFFICER, HEAD),
            "审查意见：申请材料的实质内容、是否符合法定条件和标准",
            "书面审查",
            (TEXT,),
            basis="许可法第三十四条、第三十六条",
            next=(("site_check", "需现场核查"), ("legal_review", "须法制审核"), ("decide", "")),
        ),
        Step(
            "site_check",
            "现场核查",
            (OFFICER,),
            "现场核查笔录、照片，申请人或利害关系人意见",
            "指派两名以上工作人员核查，全程音像记录",
            (TEXT, AV, PHOTO),
            basis="许可法第三十四条第三款",
            next=(("legal_review", "须法制审核"), ("decide", "")),
            requires_av=True,
            officers=2,
            optional=True,
        ),
        Step(
            "legal_review",
            "法制审核",
            (REVIEWER,),
            "法制审核意见书",
            "书面审核，编号出具审核意见",
            (TEXT,),
            basis="118号",
            next=(("decide", "审核通过"), ("review", "退回重新审查")),
            optional=True,
            clock=Clock(7, WORKING, "本县重大执法决定法制审核办法（默认值，可配置）"),
        ),
        Step(
            "decide",
            "决定（准予许可）",
            (LEADER,),
            "准予行政许可决定书或许可证件",
            "负责人审批签发，文书编号",
            (TEXT,),
            basis="许可法第三十八条、第四十二条",
            next=(("serve", "准予许可"), ("refuse", "不予许可")),
            clock=Clock(
                20,
                WORKING,
                "许可法第四十二条、第四十五条、第八十二条",
                start="accept",
                note="经本机关负责人批准可延长10个工作日并告知理由；听证、检测、专家评审时间不计入",
            ),
        ),
        Step(
            "refuse",
            "不予许可",
            (LEADER,),
            "不予行政许可决定书：理由，复议和诉讼权利",
            "负责人审批签发，文书编号",
            (TEXT,),
            basis="许可法第三十八条第二款",
            next=(("serve", "送达决定书"),),
            branch=True,
        ),
        Step(
            "serve",
            "送达",
            (OFFICER,),
            "送达回证、许可证件领取记录",
            "直接送达或邮寄、电子送达，全程音像记录",
            (TEXT, AV, PHOTO),
            basis="许可法第四十四条",
            next=(("publish", ""),),
            requires_av=True,
            clock=Clock(10, WORKING, "许可法第四十四条", start="decide"),
        ),
        Step(
            "publish",
            "公示",
            (OFFICE, OFFICER),
            "许可决定的公开信息（执法机关、对象、类别、结论、文号、日期）",
            "在公示平台发布",
            (DATA,),
            basis="许可法第四十条；118号",
            next=(("archive", ""),),
            clock=Clock(7, WORKING, "118号", start="decide", note="作出决定之日起7个工作日内公开"),
        ),
        ARCHIVE,
    ),
)

FLOWS = (PENALTY_ORDINARY, PENALTY_SIMPLE, LICENCE)


def load_flows() -> None:
    with transaction.atomic():
        for flow in FLOWS:
            _load_flow(flow)


def _load_flow(spec: Flow) -> FlowDefinition:
    flow, _ = FlowDefinition.objects.update_or_create(
        code=spec.code,
        defaults=dict(
            name=spec.name, kind=spec.kind, description=spec.description, basis=spec.basis
        ),
    )
    steps = {}
    for order, s in enumerate(spec.steps, 1):
        clock = s.clock
        step = FlowStep.objects.filter(flow=flow, code=s.code).first() or FlowStep(
            flow=flow, code=s.code
        )
        values = dict(
            order=order,
            name=s.name,
            roles=list(s.roles),
            is_branch=s.branch,
            optional=s.optional,
            is_final=s.final,
            record_content=s.content,
            record_method=s.method,
            carriers=[str(c) for c in s.carriers],
            requires_av=s.requires_av,
            min_certified_officers=s.officers,
            clock_days=clock.days if clock else None,
            clock_unit=str(clock.unit) if clock else "",
            clock_from=clock.start if clock else "",
            clock_basis=clock.basis if clock else "",
            clock_note=clock.note if clock else "",
            basis=s.basis,
        )
        for name, value in values.items():
            setattr(step, name, value)
        step.full_clean()
        step.save()
        steps[s.code] = step
    wanted = {(s.code, target): label for s in spec.steps for target, label in s.next}
    FlowTransition.objects.filter(source__flow=flow).delete()
    FlowTransition.objects.bulk_create(
        FlowTransition(source=steps[src], target=steps[dst], label=label)
        for (src, dst), label in wanted.items()
    )
    return flow


RIGHTS_DECISION = (
    "当事人应当自收到本决定书之日起十五日内，到指定银行或者通过电子支付系统缴纳罚款。"
    "到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款，加处罚款的数额不超出罚款的数额。"
    "如不服本决定，可以在收到本决定书之日起六十日内向{复议机关}申请行政复议，"
    "也可以在六个月内依法向{人民法院}提起行政诉讼。"
    "行政复议和行政诉讼期间，本决定不停止执行，法律另有规定的除外。"
)
RIGHTS_REFUSAL = (
    "如不服本决定，可以在收到本决定书之日起六十日内向{复议机关}申请行政复议，"
    "也可以在六个月内依法向{人民法院}提起行政诉讼。"
)
RIGHTS_NOTICE = (
    "根据《中华人民共和国行政处罚法》第四十四条、第四十五条、第六十三条、第六十四条的规定，"
    "你（单位）有权进行陈述和申辩；符合听证条件的，有权要求举行听证，"
    "应当在收到本告知书之日起五个工作日内提出。逾期视为放弃上述权利。"
)
RIGHTS_GENERAL = "如对本文书内容有异议，可以向本机关提出；本机关将依法告知你（单位）的权利和义务。"
RIGHTS_LICENCE = (
    "请按照许可证件载明的范围、期限和条件从事许可事项，依法接受监督检查；"
    "需要延续有效期的，应当在有效期届满三十日前提出申请（《中华人民共和国行政许可法》第五十条）。"
)

HEADER = "{机关名称}\n{文书标题}\n{文书编号}\n\n"
TEMPLATES: dict[str, tuple[str, str, str]] = {
    DocumentKind.FILING_APPROVAL: (
        "立案审批表",
        HEADER + "案由：{事由}\n当事人：{当事人}\n案件来源：{案件来源}\n"
        "立案依据：{依据}\n承办人：{承办人}\n承办科室意见：{承办意见}\n负责人审批意见：{审批意见}",
        "",
    ),
    DocumentKind.NO_FILING: (
        "不予立案告知书",
        HEADER + "{当事人}：\n本机关对{事由}进行了核查，根据{依据}的规定，决定不予立案。"
        "理由：{理由}\n{权利义务}\n\n{机关名称}\n{日期}",
        RIGHTS_GENERAL,
    ),
    DocumentKind.INSPECTION_RECORD: (
        "现场检查笔录",
        HEADER + "检查时间：{时间}\n检查地点：{地点}\n被检查人：{当事人}\n"
        "执法人员及证件号：{执法人员}\n检查事由：{事由}\n检查情况：{检查情况}\n"
        "被检查人签字：\n执法人员签字：",
        "",
    ),
    DocumentKind.INQUIRY_RECORD: (
        "询问笔录",
        HEADER + "询问时间：{时间}\n询问地点：{地点}\n被询问人：{被询问人}\n"
        "执法人员及证件号：{执法人员}\n告知：我们是{机关名称}执法人员，已出示执法证件，"
        "你有权申请回避，应当如实回答询问。\n问答记录：{问答}\n被询问人签字：",
        "",
    ),
    DocumentKind.INVESTIGATION_REPORT: (
        "案件调查终结报告",
        HEADER + "案由：{事由}\n当事人：{当事人}\n违法事实及证据：{事实}\n"
        "处罚依据：{依据}\n裁量理由：{裁量理由}\n处理意见：{处理意见}\n承办人：{承办人}",
        "",
    ),
    DocumentKind.REVIEW_OPINION: (
        "法制审核意见书",
        HEADER + "审查事项：{事由}\n报送时间：{报送时间}\n审查依据：{依据}\n"
        "审查意见（执法主体、人员资格、程序、事实、证据、法律适用、裁量基准、权限、文书、"
        "是否涉嫌犯罪）：{审查意见}\n审核人：{审核人}\n复审人：{复审人}\n{日期}",
        "",
    ),
    DocumentKind.PRIOR_NOTICE: (
        "行政处罚事先告知书",
        HEADER + "{当事人}：\n经查，你（单位）{事由}。以上事实有{证据}等证据证实。"
        "你（单位）的上述行为违反了{违反条款}的规定，依据{依据}的规定，本机关拟对你（单位）"
        "作出如下行政处罚：{拟处罚内容}。\n{权利义务}\n\n{机关名称}\n{日期}",
        RIGHTS_NOTICE,
    ),
    DocumentKind.HEARING_NOTICE: (
        "听证通知书",
        HEADER + "{当事人}：\n根据你（单位）的申请，本机关定于{时间}在{地点}就{事由}举行听证，"
        "依据：{依据}。主持人：{主持人}。\n{权利义务}\n\n{机关名称}\n{日期}",
        "你（单位）可以亲自参加听证，也可以委托一至二人代理；认为主持人与本案有直接利害关系的，"
        "有权申请回避。无正当理由拒不出席听证或者未经许可中途退出的，视为放弃听证权利。",
    ),
    DocumentKind.PENALTY_DECISION: (
        "行政处罚决定书",
        HEADER + "当事人：{当事人}\n地址：{地址}\n统一社会信用代码或身份证件号码：{证件号码}\n\n"
        "经查，{事由}。以上事实有{证据}等证据证实。\n"
        "你（单位）的上述行为违反了{违反条款}的规定。依据{依据}的规定，本机关决定：{处罚内容}。\n"
        "{权利义务}\n\n{机关名称}\n{日期}",
        RIGHTS_DECISION,
    ),
    DocumentKind.NO_PENALTY_DECISION: (
        "不予行政处罚决定书",
        HEADER + "当事人：{当事人}\n\n经查，{事由}。依据{依据}的规定，本机关决定不予行政处罚。"
        "理由：{理由}\n{权利义务}\n\n{机关名称}\n{日期}",
        RIGHTS_GENERAL,
    ),
    DocumentKind.ON_SPOT_DECISION: (
        "当场行政处罚决定书",
        HEADER + "当事人：{当事人}\n违法行为：{事由}\n时间地点：{时间}，{地点}\n"
        "处罚依据：{依据}\n处罚内容：{处罚内容}\n{权利义务}\n"
        "执法人员（签名）及证件号：{执法人员}\n{机关名称}\n{日期}",
        RIGHTS_DECISION,
    ),
    DocumentKind.SERVICE_RECEIPT: (
        "送达回证",
        HEADER + "送达文书：{送达文书}\n受送达人：{当事人}\n送达地点：{地点}\n"
        "送达方式：{送达方式}\n送达人：{送达人}\n受送达人签收及日期：\n见证人：\n备注：{备注}",
        "",
    ),
    DocumentKind.CLOSING_REPORT: (
        "结案报告",
        HEADER + "案由：{事由}\n当事人：{当事人}\n处理结果：{处理结果}\n执行情况：{执行情况}\n"
        "承办人：{承办人}\n负责人意见：{审批意见}",
        "",
    ),
    DocumentKind.ACCEPTANCE: (
        "受理通知书",
        HEADER + "{当事人}：\n你（单位）于{申请日期}提出的{事由}申请，申请材料齐全、符合法定形式，"
        "根据{依据}的规定，本机关决定予以受理。\n{权利义务}\n\n{机关名称}（专用印章）\n{日期}",
        "本机关将在法定期限内作出决定；你（单位）可以通过本机关公布的电话或平台查询办理进度。",
    ),
    DocumentKind.NON_ACCEPTANCE: (
        "不予受理决定书",
        HEADER + "{当事人}：\n你（单位）于{申请日期}提出的{事由}申请，根据{依据}的规定，"
        "本机关决定不予受理。理由：{理由}\n{权利义务}\n\n{机关名称}（专用印章）\n{日期}",
        RIGHTS_REFUSAL,
    ),
    DocumentKind.CORRECTION_NOTICE: (
        "补正材料通知书",
        HEADER
        + "{当事人}：\n你（单位）于{申请日期}提出的{事由}申请，申请材料不齐全或者不符合法定形式，"
        "根据{依据}的规定，请补正以下全部材料：{补正内容}\n{权利义务}\n\n{机关名称}（专用印章）\n{日期}",
        "补正材料齐全后，本机关将予以受理；逾期未补正的，视为撤回申请。",
    ),
    DocumentKind.LICENCE_GRANT: (
        "准予行政许可决定书",
        HEADER + "{当事人}：\n你（单位）于{申请日期}提出的{事由}申请，经审查，符合法定条件和标准。"
        "根据{依据}的规定，本机关决定准予行政许可：{许可内容}。有效期：{有效期}。\n{权利义务}\n\n"
        "{机关名称}\n{日期}",
        RIGHTS_LICENCE,
    ),
    DocumentKind.LICENCE_REFUSAL: (
        "不予行政许可决定书",
        HEADER
        + "{当事人}：\n你（单位）于{申请日期}提出的{事由}申请，经审查，不符合{依据}规定的条件。"
        "理由：{理由}。本机关决定不予行政许可。\n{权利义务}\n\n{机关名称}\n{日期}",
        RIGHTS_REFUSAL,
    ),
}


def load_templates() -> None:
    with transaction.atomic():
        for kind, (title, body, rights) in TEMPLATES.items():
            if DocumentTemplate.objects.filter(agency=None, kind=kind).exists():
                continue
            template = DocumentTemplate(
                agency=None, kind=kind, title=title, body=body, rights_statement=rights
            )
            template.full_clean()
            template.save()


def load() -> None:
    load_flows()
    load_templates()


def load_on_migrate(**kwargs: object) -> None:
    load()

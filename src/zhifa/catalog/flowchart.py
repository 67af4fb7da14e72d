"""Draw a flow definition as an SVG flow chart (P6), in pure Python, with no scripts and no
external assets, so the same drawing can be served, embedded and published on the portal.

Layout: the main line runs down the left column; branch outcomes (不予立案, 撤案, 移送, …) sit in
the right column beside the step they leave from. Each main box says what is recorded, how,
on which carrier, whether audio-visual recording is required (C4), how many certified officers
must act, and the statutory clock. Moves that skip an optional step or go back run along the
left margin.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from zhifa.catalog.models import FlowDefinition, FlowStep

WIDTH = 1000
MAIN_X, MAIN_W = 190, 440
BRANCH_X, BRANCH_W = 714, 270
TOP = 118
GAP = 40
PAD = 10
LINE = 17
FONT = 12.5
TITLE_FONT = 14.5
CJK_WIDTH = 12.6  # px per CJK character at FONT; ASCII counts as about half
FONT_FAMILY = (
    "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei','WenQuanYi Micro Hei',"
    "sans-serif"
)
COLOURS = {
    "line": "#52606d",
    "box": "#ffffff",
    "branch": "#f5f7fa",
    "av": "#a61b1b",
    "clock": "#0b5394",
    "officers": "#146c2e",
    "back": "#c05621",
    "muted": "#52606d",
}


@dataclass
class Box:
    step: FlowStep
    x: float
    y: float
    w: float
    lines: list[tuple[str, str]] = field(default_factory=list)  # (css class, text)

    @property
    def h(self) -> float:
        return PAD * 2 + len(self.lines) * LINE + 4

    @property
    def mid_y(self) -> float:
        return self.y + self.h / 2


def _text_width(text: str) -> float:
    return sum(CJK_WIDTH * (0.55 if ord(ch) < 128 else 1.0) for ch in text)


def wrap(text: str, width: float) -> list[str]:
    """Break `text` into lines no wider than `width` px (CJK text breaks anywhere)."""
    lines, current = [], ""
    for ch in text:
        if ch == "\n" or _text_width(current + ch) > width:
            lines.append(current)
            current = "" if ch == "\n" else ch
        else:
            current += ch
    if current:
        lines.append(current)
    return lines or [""]


def _field(label: str, value: str, width: float, css: str = "t") -> list[tuple[str, str]]:
    if not value:
        return []
    return [(css, line) for line in wrap(f"{label}：{value}", width)]


def _clock_text(step: FlowStep, names: dict[str, str]) -> str:
    if not step.clock_days:
        return ""
    start = names.get(step.clock_from, step.clock_from)
    text = f"自{start}起{step.clock_label}" if step.clock_from else step.clock_label
    if step.clock_note:
        text += f"；{step.clock_note}"
    return f"{text}（{step.clock_basis}）" if step.clock_basis else text


def _main_lines(
    number: int, step: FlowStep, names: dict[str, str], width: float
) -> list[tuple[str, str]]:
    title = f"{number}. {step.name}" + ("（视情况办理）" if step.optional else "")
    lines = [("h", title)]
    lines += _field("记录内容", step.record_content, width)
    lines += _field("记录方式", step.record_method, width)
    lines += _field("记录载体", "、".join(step.carriers), width)
    if step.requires_av:
        lines.append(("av", "■ 必须音像记录（音像记录事项清单）"))
    if step.min_certified_officers:
        lines.append(("off", f"■ 不少于{step.min_certified_officers}名持有效执法证的执法人员"))
    lines += _field("时限", _clock_text(step, names), width, "clk")
    lines += _field("办理角色", "、".join(step.roles), width, "m")
    lines += _field("依据", step.basis, width, "m")
    return lines


def _branch_lines(step: FlowStep, names: dict[str, str], width: float) -> list[tuple[str, str]]:
    lines = [("h", step.name)]
    lines += _field("记录", step.record_content, width)
    lines += _field("载体", "、".join(step.carriers), width)
    if step.requires_av:
        lines.append(("av", "■ 必须音像记录"))
    lines += _field("时限", _clock_text(step, names), width, "clk")
    targets = "、".join(t.target.name for t in step.outgoing.all())
    lines += _field("下一步", targets, width, "m")
    lines += _field("依据", step.basis, width, "m")
    return lines


def _layout(flow: FlowDefinition) -> tuple[list[Box], dict[int, Box], float]:
    steps = list(flow.steps.all())
    names = {s.code: s.name for s in steps}
    main = [s for s in steps if not s.is_branch]
    boxes: dict[int, Box] = {}
    y = TOP
    for number, step in enumerate(main, 1):
        box = Box(step, MAIN_X, y, MAIN_W, _main_lines(number, step, names, MAIN_W - 2 * PAD))
        boxes[step.pk] = box
        y += box.h + GAP
    bottom = y
    branch_y = TOP
    for step in (s for s in steps if s.is_branch):
        sources = [boxes[t.source_id] for t in step.incoming.all() if t.source_id in boxes]
        want = min((b.y for b in sources), default=branch_y)
        box = Box(
            step,
            BRANCH_X,
            max(want, branch_y),
            BRANCH_W,
            _branch_lines(step, names, BRANCH_W - 2 * PAD),
        )
        boxes[step.pk] = box
        branch_y = box.y + box.h + 16
    height = max(bottom, branch_y) + 40
    return main, boxes, height


def _rect(box: Box) -> str:
    step = box.step
    dash = ' stroke-dasharray="6 4"' if step.optional else ""
    fill = COLOURS["branch"] if step.is_branch else COLOURS["box"]
    stroke = COLOURS["av"] if step.requires_av else COLOURS["line"]
    width = 2 if step.requires_av else 1.2
    parts = [
        f'<g class="step" id={quoteattr("step-" + step.code)}>',
        f"<title>{escape(step.name)}</title>",
        f'<rect x="{box.x}" y="{box.y}" width="{box.w}" height="{box.h:.0f}" rx="6" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="{width}"{dash}/>',
    ]
    for n, (css, text) in enumerate(box.lines):
        ty = box.y + PAD + (n + 1) * LINE - 3
        parts.append(f'<text x="{box.x + PAD}" y="{ty:.0f}" class="{css}">{escape(text)}</text>')
    parts.append("</g>")
    return "".join(parts)


def _label(x: float, y: float, text: str, anchor: str = "start") -> str:
    if not text:
        return ""
    return f'<text x="{x:.0f}" y="{y:.0f}" class="lbl" text-anchor="{anchor}">{escape(text)}</text>'


def _edges(main: list[FlowStep], boxes: dict[int, Box]) -> list[str]:
    position = {s.pk: n for n, s in enumerate(main)}
    out: list[str] = []
    lanes: list[float] = []  # lowest free y per left-margin lane
    branch_mid_x = (MAIN_X + MAIN_W + BRANCH_X) / 2
    for step in main:
        src = boxes[step.pk]
        for t in step.outgoing.all():
            dst = boxes.get(t.target_id)
            if dst is None:
                continue
            if t.target.is_branch:
                y1, y2 = src.y + 22, dst.y + 22
                path = f"M{src.x + src.w},{y1} H{branch_mid_x} V{y2} H{dst.x - 2}"
                out.append(f'<path d="{path}" class="e" marker-end="url(#arrow)"/>')
                out.append(_label(branch_mid_x, y2 - 5, t.label, "middle"))
                continue
            gap = position[t.target_id] - position[step.pk]
            if gap == 1:
                x = src.x + src.w / 2
                out.append(
                    f'<path d="M{x},{src.y + src.h:.0f} V{dst.y - 2}" class="e" '
                    'marker-end="url(#arrow)"/>'
                )
                out.append(_label(x + 8, src.y + src.h + GAP / 2 + 4, t.label))
                continue
            back = gap < 0
            top, bottom = sorted((src.mid_y, dst.mid_y))
            lane = next((n for n, free in enumerate(lanes) if free < top), None)
            if lane is None:
                lanes.append(0)
                lane = len(lanes) - 1
            lanes[lane] = bottom + 6
            gx = MAIN_X - 12 - lane * 11
            ys = src.mid_y + (8 if back else -8)
            yd = dst.mid_y + (8 if back else -8)
            css = "back" if back else "skip"
            out.append(
                f'<path d="M{src.x},{ys:.0f} H{gx} V{yd:.0f} H{dst.x - 2}" class="{css}" '
                f'marker-end="url(#arrow-{css})"><title>{escape(t.label or "跳过可选环节")}'
                "</title></path>"
            )
            if t.label:
                out.append(_label(gx - 3, ys - 3, t.label, "end"))
    return out


STYLE = (
    f"text{{font-size:{FONT}px;fill:#1f2933}}"
    f".h{{font-size:{TITLE_FONT}px;font-weight:700}}"
    f".av{{fill:{COLOURS['av']};font-weight:700}}"
    f".off{{fill:{COLOURS['officers']};font-weight:700}}"
    f".clk{{fill:{COLOURS['clock']}}}"
    f".m,.lbl{{fill:{COLOURS['muted']}}}"
    ".lbl{font-size:11.5px}"
    f".e{{fill:none;stroke:{COLOURS['line']};stroke-width:1.4}}"
    f".skip{{fill:none;stroke:{COLOURS['line']};stroke-width:1.2;stroke-dasharray:4 3}}"
    f".back{{fill:none;stroke:{COLOURS['back']};stroke-width:1.2}}"
    ".title{font-size:20px;font-weight:700}"
)


def _marker(name: str, colour: str) -> str:
    return (
        f'<marker id="{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        f'fill="{colour}"/></marker>'
    )


def _legend(flow: FlowDefinition) -> list[str]:
    y = 64
    return [
        f'<text x="24" y="36" class="title">{escape(flow.name)}流程图</text>',
        _label(24, y - 8, f"流程编码 {flow.code}　依据：{flow.basis}"[:90]),
        f'<rect x="24" y="{y}" width="26" height="14" rx="3" fill="#fff" stroke="#52606d"/>',
        _label(56, y + 12, "必经环节"),
        f'<rect x="128" y="{y}" width="26" height="14" rx="3" fill="#fff" stroke="#52606d" '
        'stroke-dasharray="6 4"/>',
        _label(160, y + 12, "视情况办理"),
        f'<rect x="246" y="{y}" width="26" height="14" rx="3" fill="#fff" stroke="#a61b1b" '
        'stroke-width="2"/>',
        _label(278, y + 12, "必须音像记录"),
        f'<rect x="376" y="{y}" width="26" height="14" rx="3" fill="#f5f7fa" stroke="#52606d"/>',
        _label(408, y + 12, "分支结果"),
        f'<path d="M490,{y + 7} h26" class="skip"/>',
        _label(522, y + 12, "跳过可选环节"),
        f'<path d="M618,{y + 7} h26" class="back"/>',
        _label(650, y + 12, "退回"),
        _label(24, y + 34, "时限中“个工作日”不含法定节假日，按国务院节假日安排（含调休）计算。"),
    ]


def render_flow_svg(flow: FlowDefinition) -> str:
    """The flow chart of `flow` as a standalone SVG document (UTF-8 text, no XML prolog)."""
    main, boxes, height = _layout(flow)
    body = [_rect(box) for box in boxes.values()]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="{WIDTH}" height="{height:.0f}" role="img" aria-labelledby="flow-title" '
        f"font-family={quoteattr(FONT_FAMILY)}>",
        f'<title id="flow-title">{escape(flow.name)}流程图</title>',
        f"<desc>{escape(flow.description)}</desc>",
        "<defs>",
        _marker("arrow", COLOURS["line"]),
        _marker("arrow-skip", COLOURS["line"]),
        _marker("arrow-back", COLOURS["back"]),
        f"<style>{STYLE}</style>",
        "</defs>",
        f'<rect width="{WIDTH}" height="{height:.0f}" fill="#fff"/>',
        *_legend(flow),
        *_edges(main, boxes),
        *body,
        "</svg>",
    ]
    return "\n".join(p for p in parts if p)

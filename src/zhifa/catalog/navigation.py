from zhifa.catalog import permissions
from zhifa.core import nav


def register_all() -> None:
    nav.register("执法事项", "catalog:item_list", permissions.can_view_items, order=30)
    nav.register("执法流程", "catalog:flow_list", permissions.can_view_flows, order=31)
    nav.register("法律法规", "catalog:law_list", permissions.can_view_laws, order=32)
    nav.register("文书样本", "catalog:template_list", permissions.can_view_templates, order=33)
    nav.register(
        "随机抽查事项", "catalog:inspection_list", permissions.can_view_inspections, order=34
    )

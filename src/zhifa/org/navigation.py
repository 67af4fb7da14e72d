from zhifa.core import nav
from zhifa.org import permissions


def register_all() -> None:
    nav.register("工作人员", "org:staff_list", permissions.can_view_staff, order=60)
    nav.register("执法证", "org:certificate_list", permissions.can_view_certificates, order=61)
    nav.register("科室", "org:unit_list", permissions.can_manage_units, order=62)
    nav.register("培训", "org:training_list", permissions.can_view_training, order=63)
    nav.register("领导小组", "org:leading_group", permissions.can_view_leading_group, order=64)
    nav.register("执法装备", "org:device_list", permissions.can_view_devices, order=65)
    nav.register("系统配置", "admin:index", permissions.can_configure, order=90)

"""``zhifa evidence import FOLDER --case … --step … --device … --user …``: bulk-import a
body-camera docking-station folder (执法记录仪采集站) into a case (C6, C7, C9)."""

from __future__ import annotations

import datetime as dt
import mimetypes
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class _Counting:
    """A binary file that moves a progress bar as it is read."""

    def __init__(self, fh, bar) -> None:
        self.fh, self.bar = fh, bar

    def read(self, size: int = -1) -> bytes:
        chunk = self.fh.read(size)
        self.bar.update(len(chunk))
        return chunk


class Command(BaseCommand):
    help = "证据批量导入：把执法记录仪采集站导出的文件夹整体导入某个案件的某个环节。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser(
            "import", help="导入文件夹中的全部文件（含子文件夹），已关联的文件自动跳过"
        )
        imp.add_argument("folder", help="采集站导出的文件夹")
        imp.add_argument("--case", required=True, help="案件编号或案件 ID")
        imp.add_argument("--step", default="", help="环节代码或名称，默认为案件当前环节")
        imp.add_argument("--device", default="", help="执法装备的设备编号（本单位已登记）")
        imp.add_argument("--user", required=True, help="以哪位工作人员的身份导入（登录名）")
        imp.add_argument("--where", default="", help="采集地点（可选）")
        imp.add_argument("--description", default="", help="说明（可选，用于每个文件）")

    def handle(self, *args, action: str, **options):
        getattr(self, f"_{action}")(**options)

    def _import(self, *, folder, case, step, device, user, where, description, **options):
        from tqdm import tqdm

        folder_path = Path(folder)
        if not folder_path.is_dir():
            raise CommandError(f"找不到文件夹“{folder}”，请检查路径。")
        acting_user = _user(user)
        the_case = _case(case, acting_user)
        step_code = _step(the_case, step)
        the_device = _device(the_case, device)
        files = sorted(p for p in folder_path.rglob("*") if p.is_file() and not p.is_symlink())
        if not files:
            raise CommandError(f"文件夹“{folder}”中没有文件。")
        total = sum(p.stat().st_size for p in files)
        added = skipped = 0
        failed: list[str] = []
        with tqdm(
            total=total,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            desc="导入证据",
            file=sys.stderr,
            disable=options.get("verbosity", 1) == 0,
        ) as bar:
            for path in files:
                try:
                    if _import_one(
                        path,
                        folder_path,
                        bar,
                        acting_user,
                        the_case,
                        step_code,
                        the_device,
                        where,
                        description,
                    ):
                        added += 1
                    else:
                        skipped += 1
                except (ValidationError, PermissionDenied, ValueError, OSError) as error:
                    failed.append(f"{path.relative_to(folder_path)}：{_message(error)}")
        self.stdout.write(
            f"导入完成：案件 {the_case.number or the_case.pk}，新增 {added} 个，"
            f"跳过 {skipped} 个（已关联），失败 {len(failed)} 个，共 {len(files)} 个文件、"
            f"{total} 字节。"
        )
        for line in failed:
            self.stderr.write(f"  失败：{line}")
        if failed:
            raise CommandError("部分文件未能导入，请按上面的原因处理后重新运行（已导入的会跳过）。")


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return str(error)


def _import_one(path, folder, bar, user, case, step, device, where, description) -> bool:
    from zhifa.cases import services
    from zhifa.cases.evidence_views import media_kind_for
    from zhifa.cases.models import CaseEvidence
    from zhifa.ledger import blobs

    with open(path, "rb") as fh:
        stored = blobs.store(_Counting(fh, bar))
    if CaseEvidence.objects.filter(case=case, step=step, sha256=stored.sha256).exists():
        return False
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    captured_at = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
    with transaction.atomic():
        blobs.add_evidence(
            stored,
            actor=user,
            subject=case,
            filename=path.name[:255],
            content_type=content_type,
            where=where,
            device=device.serial_number if device else "",
            step=step,
            captured_at=captured_at,
            extra={"import": str(path.relative_to(folder)), "captured_at_from": "file_mtime"},
        )
        services.case_evidence_attach(
            acting_user=user,
            case=case,
            step=step,
            sha256=stored.sha256,
            media_kind=media_kind_for(content_type),
            description=description,
            device=device,
            filename=path.name[:255],
            content_type=content_type,
            size=stored.size,
            captured_at=captured_at,
            location=where,
        )
    return True


def _user(username: str):
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"没有登录名为“{username}”的用户，请检查 --user。")
    try:
        if not user.staff.is_active:
            raise CommandError(f"用户“{username}”已停用，不能导入证据。")
    except ObjectDoesNotExist as exc:
        raise CommandError(f"用户“{username}”不是任何执法主体的工作人员，不能导入证据。") from exc
    return user


def _case(ref: str, user):
    from zhifa.cases.models import Case

    agency_id = user.staff.agency_id
    cases = Case.objects.filter(agency_id=agency_id).select_related("flow")
    found = cases.filter(number=ref).first()
    if found is None and ref.isdigit():
        found = cases.filter(pk=int(ref)).first()
    if found is None:
        raise CommandError(
            f"在“{user.staff.agency.name}”的案件中找不到编号或 ID 为“{ref}”的案件，请检查 --case。"
        )
    return found


def _step(case, step: str) -> str:
    steps = list(case.flow.steps.all())
    if not step:
        return case.step
    for s in steps:
        if step in (s.code, s.name):
            return s.code
    names = "、".join(f"{s.code}（{s.name}）" for s in steps)
    raise CommandError(f"本案流程中没有环节“{step}”。可用的环节：{names}。")


def _device(case, serial: str):
    from zhifa.org.models import Device, DeviceStatus

    if not serial:
        return None
    device = Device.objects.filter(agency_id=case.agency_id, serial_number=serial).first()
    if device is None:
        raise CommandError(
            f"本单位没有登记设备编号为“{serial}”的执法装备，"
            "请先在“执法装备”中登记，或检查 --device。"
        )
    if device.status != DeviceStatus.IN_USE:
        raise CommandError(f"设备“{serial}”的状态为{device.get_status_display()}，不能用于新证据。")
    return device

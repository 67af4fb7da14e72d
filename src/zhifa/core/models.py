from __future__ import annotations

from django.conf import settings
from django.db import models


class HolidaySchedule(models.Model):
    """A year's official holiday arrangement (国务院办公厅关于节假日安排的通知).

    When present it takes precedence over the packaged tables for that year.
    """

    year = models.PositiveSmallIntegerField("年份", unique=True)
    notice = models.CharField("通知文号或标题", max_length=200)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, null=True
    )
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "年度节假日安排"
        verbose_name_plural = verbose_name
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年节假日安排"


class ScheduleDay(models.Model):
    """A day that departs from the Monday–Friday rule: a holiday or a 调休 working day."""

    schedule = models.ForeignKey(HolidaySchedule, related_name="days", on_delete=models.CASCADE)
    date = models.DateField("日期", unique=True)
    is_working_day = models.BooleanField("调休上班", default=False)
    name = models.CharField("说明", max_length=50, blank=True, help_text="例如：春节、国庆节调休")

    class Meta:
        verbose_name = "节假日或调休日"
        verbose_name_plural = verbose_name
        ordering = ["date"]

    def __str__(self) -> str:
        kind = "调休上班" if self.is_working_day else "放假"
        return f"{self.date} {kind} {self.name}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.schedule_id and self.date and self.date.year != self.schedule.year:
            raise ValidationError({"date": f"日期必须在{self.schedule.year}年内。"})


class DocumentCounter(models.Model):
    """The last number issued in one series: per agency, document kind and year.

    Incremented inside the issuing transaction, so a rolled-back issue leaves no gap.
    """

    agency_id = models.BigIntegerField("执法主体")
    kind = models.CharField("文书种类", max_length=50)
    year = models.PositiveSmallIntegerField("年度")
    last = models.PositiveIntegerField("已用至", default=0)

    class Meta:
        verbose_name = "文书编号计数"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["agency_id", "kind", "year"], name="one_series")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last}"

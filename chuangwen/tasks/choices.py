"""Task vocabulary: statuses and their allowed transitions, progress-report review, the
decomposition rule options, evidence kinds and webhook formats."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskStatus(models.TextChoices):
    """Stored statuses. "Overdue" is never stored: it is computed from the deadline."""

    NOT_STARTED = "not_started", _("未开始")
    IN_PROGRESS = "in_progress", _("推进中")
    DONE = "done", _("已完成")
    CLOSED = "closed", _("已撤销")


OVERDUE = "overdue"
OVERDUE_LABEL = _("已逾期")
# statuses a task can still be overdue in (work not finished)
OPEN_STATUSES = frozenset({TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS})

TASK_TRANSITIONS: dict[str, set[str]] = {
    TaskStatus.NOT_STARTED: {TaskStatus.IN_PROGRESS, TaskStatus.DONE, TaskStatus.CLOSED},
    TaskStatus.IN_PROGRESS: {TaskStatus.DONE, TaskStatus.CLOSED},
    TaskStatus.DONE: {TaskStatus.IN_PROGRESS, TaskStatus.CLOSED},  # reopened by the office
    TaskStatus.CLOSED: set(),
}

# the status filter of lists: the stored ones plus the computed "overdue"
STATUS_FILTER_CHOICES = [*TaskStatus.choices, (OVERDUE, OVERDUE_LABEL)]


class TaskSource(models.TextChoices):
    MANUAL = "manual", _("手工创建")
    RULE = "rule", _("分解规则")
    IMPORT = "import", _("Excel 导入")


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    ACCEPTED = "accepted", _("已通过")
    RETURNED = "returned", _("已退回")


REPORT_TRANSITIONS: dict[str, set[str]] = {
    ReportStatus.SUBMITTED: {ReportStatus.ACCEPTED, ReportStatus.RETURNED},
    ReportStatus.ACCEPTED: set(),
    ReportStatus.RETURNED: set(),
}


class LeadMode(models.TextChoices):
    """Who leads the tasks a rule makes."""

    FIXED = "fixed", _("指定单位牵头")
    EACH_OF_KIND = "each_of_kind", _("每个某类单位各自牵头")


class SupportFromSites(models.TextChoices):
    """Supporting units derived from the sites of the rule's site type."""

    NONE = "", _("不从点位推导")
    SITE_UNIT = "site_unit", _("点位所属单位")
    SITE_STREET = "site_street", _("点位所在街道")
    SITE_DISTRICT = "site_district", _("点位所在区县")


class EvidenceKind(models.TextChoices):
    JPEG = "jpeg", "JPEG"
    PNG = "png", "PNG"
    PDF = "pdf", "PDF"
    DOCX = "docx", "Word"
    XLSX = "xlsx", "Excel"


class WebhookKind(models.TextChoices):
    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")

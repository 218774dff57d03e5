"""The volunteers lists' columns (see ``chuangwen.core.tables``)."""

from django.utils.translation import gettext_lazy as _

from chuangwen.core.tables import WIDE_ONLY, Column, Table


class PairTable(Table):
    name = "pairs"
    columns = (
        Column("unit", _("共建单位"), "unit__name"),
        Column("community", _("结对社区/村"), "community__name"),
        Column("mechanisms", _("六联机制"), css=WIDE_ONLY),
        Column("activities", _("活动次数")),
        Column("last", _("最近活动")),
        Column("status", _("状态")),
    )


class VolunteerTable(Table):
    name = "volunteers"
    columns = (
        Column("name", _("姓名"), "person__name"),
        Column("phone", _("手机号")),
        Column("idno", _("身份证号")),
        Column("area", _("服务区域"), "area__name"),
        Column("skills", _("技能")),
        Column("hours", _("累计时长"), "total_minutes"),
        Column("stars", _("星级")),
    )


class ActivityTable(Table):
    name = "vol-activities"
    columns = (
        Column("title", _("活动"), "title"),
        Column("organiser", _("组织方")),
        Column("place", _("地点"), "place"),
        Column("at", _("时间"), "starts_at"),
        Column("signups", _("报名")),
        Column("status", _("状态"), "status"),
    )


class TeamTable(Table):
    name = "teams"
    columns = (
        Column("name", _("服务队"), "name"),
        Column("unit", _("所属单位"), "unit__name"),
        Column("leader", _("队长")),
        Column("members", _("队员")),
    )


class MemberTable(Table):
    name = "team-members"
    columns = (
        Column("name", _("姓名"), "person__name"),
        Column("area", _("服务区域"), "area__name"),
        Column("hours", _("累计时长"), "total_minutes"),
    )


class AccountTable(Table):
    name = "moral-accounts"
    columns = (
        Column("number", _("账号"), "number"),
        Column("holder", _("持有人")),
        Column("balance", _("余额"), "balance"),
    )


class SelectionTable(Table):
    name = "selections"
    columns = (
        Column("holder", _("申报对象")),
        Column("kind", _("类别"), "kind__name"),
        Column("year", _("年度"), "year"),
        Column("level", _("级别"), "level"),
        Column("score", _("得分"), "score"),
        Column("status", _("状态"), "status"),
        Column("review", _("下次复查"), "next_review_on"),
    )


class ProposalTable(Table):
    name = "proposals"
    columns = (
        Column("selection", _("称号")),
        Column("source", _("来源"), "source"),
        Column("reason", _("理由")),
        Column("at", _("提出时间"), "created_at"),
        Column("status", _("状态"), "status"),
    )


class EntryTable(Table):
    name = "moral-entries"
    columns = (
        Column("at", _("时间"), "at"),
        Column("kind", _("类型")),
        Column("amount", _("积分"), "amount"),
        Column("note", _("说明")),
    )


class HonourTable(Table):
    name = "honours"
    columns = (
        Column("name", _("姓名"), "name"),
        Column("kind", _("类别"), "kind"),
        Column("title", _("事迹"), "title"),
        Column("level", _("级别"), "level"),
        Column("year", _("年度"), "year"),
        Column("by", _("推荐")),
        Column("status", _("状态"), "status"),
    )


class TransactionTable(Table):
    name = "moral-txns"
    columns = (
        Column("at", _("时间"), "at"),
        Column("bank", _("道德银行"), "bank__name"),
        Column("holder", _("持有人")),
        Column("kind", _("类型"), "kind"),
        Column("amount", _("积分"), "amount"),
        Column("note", _("说明")),
    )


class CardTable(Table):
    """Card lists (no columns): page size, page links and the jump only."""

    name = "cards"
    columns = ()
    page_sizes = (12, 24, 48, 96)
    page_size = 24


class DeedTable(CardTable):
    name = "deeds"
    page_sizes = (10, 20, 50, 100)
    page_size = 20

"""The citizens lists' columns (see ``chuangwen.core.tables``)."""

from django.utils.translation import gettext_lazy as _

from chuangwen.core.tables import WIDE_ONLY, Column, Table


class RankingTable(Table):
    name = "cit-rankings"
    columns = (
        Column("title", _("名称"), "round__title", hideable=False),
        Column("type", _("小区类型"), "site_type__name", css=WIDE_ONLY),
        Column("period", _("考察期"), "period_end", css=WIDE_ONLY),
        Column("status", _("状态"), "round__status"),
    )


class CitizenRoundTable(Table):
    name = "cit-rounds"
    columns = (
        Column("title", _("名称"), "title", hideable=False),
        Column("kind", _("类型"), "kind", css=WIDE_ONLY),
        Column("status", _("状态"), "status"),
        Column("closes", _("投票截止"), "closes_at", css=WIDE_ONLY),
        Column("published", _("公布时间"), "published_at", css=WIDE_ONLY),
    )


class TopicTable(Table):
    name = "cit-topics"
    columns = (
        Column("n", "#"),
        Column("name", _("话题"), "name", hideable=False),
        Column("place", _("地点"), "place", css=WIDE_ONLY),
        Column("keywords", _("关键词"), css=WIDE_ONLY),
        Column("heat", _("热度"), "heat"),
        Column("people", _("提出人数"), "people", css=WIDE_ONLY),
        Column("messages", _("留言"), "messages", css=WIDE_ONLY),
        Column("likes", _("点赞"), "likes", css=WIDE_ONLY),
        Column("at", _("时间"), css=WIDE_ONLY),
    )


class SuggestionTable(Table):
    name = "cit-suggestions"
    columns = (
        Column("number", _("编号"), "number", css=WIDE_ONLY),
        Column("source", _("来源"), "source", css=WIDE_ONLY),
        Column("at", _("提出时间"), "submitted_at", css=WIDE_ONLY),
        Column("text", _("内容"), hideable=False),
        Column("place", _("地点"), "place", css=WIDE_ONLY),
        Column("phone", _("联系电话"), css=WIDE_ONLY),
        Column("likes", _("赞同"), "like_count", css=WIDE_ONLY),
        Column("status", _("状态"), "status"),
    )


class CampaignTable(Table):
    name = "cit-campaigns"
    columns = (
        Column("title", _("名称"), "title", hideable=False),
        Column("kind", _("类型"), "kind", css=WIDE_ONLY),
        Column("lead", _("牵头单位"), "lead_unit__name", css=WIDE_ONLY),
        Column("status", _("状态"), "status"),
        Column("ends", _("计划完成"), "ends_on", css=WIDE_ONLY),
        Column("progress", _("进度")),
    )


class EpisodeTable(Table):
    name = "cit-episodes"
    columns = (
        Column("aired", _("播出日期"), "aired_on"),
        Column("programme", _("栏目"), "programme"),
        Column("topic", _("本期主题"), "topic"),
    )


class CommitmentTable(Table):
    name = "cit-commitments"
    columns = (
        Column("unit", _("承诺单位"), "unit__name", css=WIDE_ONLY),
        Column("official", _("表态人"), "official", css=WIDE_ONLY),
        Column("content", _("承诺内容"), hideable=False),
        Column("due", _("完成时限"), "due_on", css=WIDE_ONLY),
        Column("status", _("状态"), "status"),
    )

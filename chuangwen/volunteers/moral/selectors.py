"""Scoped reads of part B. A bank (its accounts, ledger, deeds, outlets) is seen by its
community, the units above it and the office (leaders read all); a holder sees their own
accounts; outlet staff their outlets. Moral models and selections are read by every person of
the city; the public sees what is in 公示 or published. Missing and forbidden answer alike
(NotFound)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from chuangwen.core.errors import NotFound
from chuangwen.org.models import City
from chuangwen.org.scope import Scope

from ..models import (
    BankCouncilMember,
    GoodDeed,
    MoralAccount,
    MoralBank,
    MoralBankEntry,
    MoralModel,
    MoralRule,
    MoralTransaction,
    Outlet,
    PublicObjection,
    RevocationProposal,
    Selection,
    SelectionKind,
)
from .choices import (
    EARN_KINDS,
    AccountKind,
    DeedStatus,
    HonourStatus,
    ProposalStatus,
    SelectionStatus,
    TxnKind,
)

# --- banks --------------------------------------------------------------------------------------


def banks_for_user(scope: Scope) -> QuerySet[MoralBank]:
    return scope.filter(MoralBank.objects.all(), unit_field="community").select_related("community")


def get_bank_for_user(scope: Scope, pk: int) -> MoralBank:
    bank = banks_for_user(scope).filter(pk=pk).first()
    if bank is None:
        raise NotFound()
    return bank


def bank_summaries(scope: Scope) -> list[MoralBank]:
    """Every bank in scope with its holders, points in circulation and this month's figures,
    in three queries."""
    banks: list[MoralBank] = list(
        banks_for_user(scope).annotate(n_holders=Count("accounts", filter=_holders()))
    )
    ids = [b.pk for b in banks]
    balances = dict(
        MoralAccount.objects.filter(bank_id__in=ids, kind=AccountKind.HOLDER)
        .values_list("bank_id")
        .annotate(s=Sum("balance"))
    )
    start = month_start(timezone.localdate())
    flows: dict[tuple[int, str], int] = {}
    rows = (
        MoralTransaction.objects.filter(bank_id__in=ids, at__gte=_aware(start))
        .values_list("bank_id", "kind")
        .annotate(s=Sum("amount"))
    )
    for bank_id, kind, total in rows:
        flows[(bank_id, kind)] = total or 0
    for b in banks:
        b.circulating = balances.get(b.pk) or 0  # type: ignore[attr-defined]
        b.month_earned = sum(flows.get((b.pk, k), 0) for k in EARN_KINDS)  # type: ignore[attr-defined]
        b.month_redeemed = flows.get((b.pk, TxnKind.REDEEM), 0)  # type: ignore[attr-defined]
        b.month_deducted = flows.get((b.pk, TxnKind.DEDUCT), 0)  # type: ignore[attr-defined]
    return banks


def _holders() -> Q:
    return Q(accounts__kind=AccountKind.HOLDER)


def accounts_for_user(scope: Scope) -> QuerySet[MoralAccount]:
    """Holder accounts of the banks in scope."""
    return (
        MoralAccount.objects.filter(bank__in=banks_for_user(scope), kind=AccountKind.HOLDER)
        .select_related("bank", "person", "household")
        .order_by("bank_id", "id")
    )


def get_account_for_user(scope: Scope, pk: int) -> MoralAccount:
    """An account for its bank's staff or for its own holder."""
    qs = MoralAccount.objects.select_related("bank__community", "person", "household", "outlet")
    account = qs.filter(pk=pk, city_id=scope.city_id or 0).first()
    if account is None:
        raise NotFound()
    if scope.can_read_unit(account.bank.community) or _is_holder(scope, account):
        return account
    raise NotFound()


def _is_holder(scope: Scope, account: MoralAccount) -> bool:
    if not scope.person_id:
        return False
    if account.person_id:
        return account.person_id == scope.person_id
    if account.household is not None:
        return account.household.members.filter(pk=scope.person_id).exists()
    return False


def my_accounts(scope: Scope) -> list[MoralAccount]:
    """The holder's own accounts (their own and their households')."""
    if not scope.person_id:
        return []
    return list(
        MoralAccount.objects.filter(kind=AccountKind.HOLDER, active=True)
        .filter(Q(person_id=scope.person_id) | Q(household__members=scope.person_id))
        .select_related("bank", "person", "household")
        .distinct()
        .order_by("id")
    )


def _outlets_of(scope: Scope) -> QuerySet[Outlet]:
    """The active outlets the viewer serves at as a clerk."""
    if not scope.person_id:
        return Outlet.objects.none()
    return Outlet.objects.filter(members__person_id=scope.person_id, active=True)


def my_outlets(scope: Scope) -> list[Outlet]:
    return list(_outlets_of(scope).select_related("bank", "account").order_by("name"))


def is_outlet_clerk(scope: Scope) -> bool:
    """Whether the viewer serves at an active outlet (``my_outlets`` is not empty)."""
    return _outlets_of(scope).exists()


def outlet_redemptions(outlet_ids: list[int], day: dt.date) -> dict[int, tuple[int, int]]:
    """Per outlet: the number of redemptions on ``day`` (local) and their points, in one
    query whatever the number of outlets."""
    if not outlet_ids:
        return {}
    rows = (
        MoralTransaction.objects.filter(
            outlet_id__in=outlet_ids,
            kind=TxnKind.REDEEM,
            at__gte=_aware(day),
            at__lt=_aware(day + dt.timedelta(days=1)),
        )
        .values_list("outlet_id")
        .annotate(n=Count("id"), s=Sum("amount"))
        .order_by()
    )
    return {outlet_id: (n, s or 0) for outlet_id, n, s in rows}


def get_my_outlet(scope: Scope, pk: int) -> Outlet:
    outlet = next((o for o in my_outlets(scope) if o.pk == pk), None)
    if outlet is None:
        raise NotFound()
    return outlet


def entries_of(account: MoralAccount) -> QuerySet[MoralBankEntry]:
    return (
        MoralBankEntry.objects.filter(account=account)
        .select_related("txn", "txn__outlet", "txn__rule")
        .order_by("-at", "-id")
    )


def transactions_for_user(scope: Scope) -> QuerySet[MoralTransaction]:
    return (
        MoralTransaction.objects.filter(bank__in=banks_for_user(scope))
        .select_related("bank", "holder__person", "holder__household", "outlet", "rule")
        .order_by("-at", "-id")
    )


def outlet_receipt(scope: Scope, outlet_pk: int, txn_pk: int) -> MoralTransaction:
    outlet = get_my_outlet(scope, outlet_pk)
    txn = (
        MoralTransaction.objects.select_related("holder__person", "holder__household", "outlet")
        .filter(pk=txn_pk, outlet=outlet, kind=TxnKind.REDEEM)
        .first()
    )
    if txn is None:
        raise NotFound()
    return txn


def rules_for_city(city_id: int | None, kind: str | None = None) -> QuerySet[MoralRule]:
    qs = MoralRule.objects.filter(city_id=city_id or 0, active=True)
    return qs.filter(kind=kind) if kind else qs


def deeds_for_user(scope: Scope) -> QuerySet[GoodDeed]:
    """The deeds of the banks in scope, and those of the banks whose review council the person
    sits on (a council member is often a resident, with no unit scope)."""
    where = Q(bank__in=banks_for_user(scope))
    if scope.person_id:
        where |= Q(bank__council__person_id=scope.person_id)
    return (
        GoodDeed.objects.filter(where)
        .distinct()
        .select_related("bank", "account__person", "account__household", "rule")
        .annotate(n_open=Count("objections", filter=Q(objections__status="open")))
        .prefetch_related("objections")
        .order_by("-id")
    )


def council_banks(scope: Scope, banks: list[MoralBank]) -> set[int]:
    """Of these banks, those whose deeds this person may review (as services.is_council
    decides), in at most one query."""
    ids = {b.pk for b in banks}
    if scope.write_all:
        return {b.pk for b in banks if b.city_id == scope.city_id}
    if not scope.person_id or not ids:
        return set()
    return set(
        BankCouncilMember.objects.filter(bank_id__in=ids, person_id=scope.person_id).values_list(
            "bank_id", flat=True
        )
    )


def get_deed_for_user(scope: Scope, pk: int) -> GoodDeed:
    deed = deeds_for_user(scope).filter(pk=pk).first()
    if deed is None:
        raise NotFound()
    return deed


# --- monthly statement --------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass
class StatementRow:
    account: MoralAccount
    opening: int
    earned: int
    deducted: int
    redeemed: int
    closing: int


def bank_statement(bank: MoralBank, month: dt.date) -> list[StatementRow]:
    """The month's statement of every holder account of the bank: opening balance, points
    earned, deducted and redeemed, closing balance — each from the entries (two aggregate
    queries, whatever the number of accounts)."""
    start, end = _aware(month_start(month)), _aware(next_month(month))
    accounts = list(
        MoralAccount.objects.filter(bank=bank, kind=AccountKind.HOLDER)
        .select_related("person", "household")
        .order_by("id")
    )
    before = dict(
        MoralBankEntry.objects.filter(account__bank=bank, at__lt=start)
        .values_list("account_id")
        .annotate(s=Sum("amount"))
    )
    flows: dict[tuple[int, str], int] = {}
    rows = (
        MoralBankEntry.objects.filter(account__bank=bank, at__gte=start, at__lt=end)
        .values_list("account_id", "txn__kind")
        .annotate(s=Sum("amount"))
    )
    for account_id, kind, total in rows:
        flows[(account_id, kind)] = total or 0
    out = []
    for a in accounts:
        opening = before.get(a.pk) or 0
        earned = sum(flows.get((a.pk, k), 0) for k in EARN_KINDS)
        deducted = -flows.get((a.pk, TxnKind.DEDUCT), 0)
        redeemed = -flows.get((a.pk, TxnKind.REDEEM), 0)
        closing = opening + earned - deducted - redeemed
        out.append(StatementRow(a, opening, earned, deducted, redeemed, closing))
    return out


# --- moral models -------------------------------------------------------------------------------


def honours_for_user(scope: Scope) -> QuerySet[MoralModel]:
    if scope.city_id is None:
        return MoralModel.objects.none()
    return (
        MoralModel.objects.filter(city_id=scope.city_id)
        .select_related("unit", "nominator_unit")
        .annotate(n_open=Count("objections", filter=Q(objections__status="open")))
    )


def get_honour_for_user(scope: Scope, pk: int) -> MoralModel:
    honour = honours_for_user(scope).filter(pk=pk).first()
    if honour is None:
        raise NotFound()
    return honour


def published_honours(city: City) -> QuerySet[MoralModel]:
    return (
        MoralModel.objects.filter(city=city, status=HonourStatus.PUBLISHED)
        .select_related("unit")
        .order_by("-year", "-published_at", "-id")
    )


def get_public_honour(city: City, pk: int) -> MoralModel:
    """A nominee the public may see: published, or in 公示."""
    honour = (
        MoralModel.objects.filter(
            city=city, pk=pk, status__in=[HonourStatus.PUBLISHED, HonourStatus.NOTICE]
        )
        .select_related("unit")
        .first()
    )
    if honour is None:
        raise NotFound()
    return honour


def in_notice(city: City) -> dict[str, list[Any]]:
    """Everything in 公示 today (or whose notice ended but is not yet decided), for the public
    notice page: nominees, good deeds, selections."""
    today = timezone.localdate()
    return {
        "honours": list(
            MoralModel.objects.filter(city=city, status=HonourStatus.NOTICE)
            .select_related("unit")
            .order_by("notice_ends", "id")
        ),
        "deeds": list(
            GoodDeed.objects.filter(city=city, status=DeedStatus.NOTICE, notice_until__gte=today)
            .select_related("bank", "account__person", "account__household", "rule")
            .order_by("notice_until", "id")
        ),
        "selections": list(
            Selection.objects.filter(city=city, status=SelectionStatus.NOTICE)
            .select_related("kind", "unit")
            .order_by("notice_ends", "id")
        ),
    }


def objections_of(target: Any) -> QuerySet[PublicObjection]:
    return target.objections.select_related("handled_by__person").order_by("-id")


# --- selections ---------------------------------------------------------------------------------


def selection_kinds(city_id: int | None) -> QuerySet[SelectionKind]:
    return SelectionKind.objects.filter(city_id=city_id or 0).select_related("site_type")


def selections_for_user(scope: Scope) -> QuerySet[Selection]:
    if scope.city_id is None:
        return Selection.objects.none()
    return (
        Selection.objects.filter(city_id=scope.city_id)
        .select_related("kind", "unit")
        .annotate(
            n_open=Count("proposals", filter=Q(proposals__status=ProposalStatus.OPEN)),
        )
    )


def get_selection_for_user(scope: Scope, pk: int) -> Selection:
    selection = selections_for_user(scope).select_related("household").filter(pk=pk).first()
    if selection is None:
        raise NotFound()
    return selection


def proposals_for_user(scope: Scope) -> QuerySet[RevocationProposal]:
    if scope.city_id is None:
        return RevocationProposal.objects.none()
    return (
        RevocationProposal.objects.filter(city_id=scope.city_id)
        .select_related("selection__kind", "selection__unit", "decided_by__person")
        .order_by("status", "-id")
    )


def due_reexaminations(scope: Scope) -> QuerySet[Selection]:
    return selections_for_user(scope).filter(
        status=SelectionStatus.AWARDED, next_review_on__lte=timezone.localdate()
    )

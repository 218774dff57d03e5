"""The moral bank (道德银行): banks, accounts, rules, and every posting of the ledger.

Every posting is double entry: one ``MoralTransaction`` with two ``MoralBankEntry`` rows that
sum to zero (holder ↔ the bank's issue account, penalty account or an outlet's account). The
holder's account row is locked first (``select_for_update``; SQLite's IMMEDIATE transactions
serialise writers anyway), the balance is checked and both balance columns are moved in the
same transaction as the entries — so a balance always equals the sum of its entries, and two
redemptions arriving at once are decided one after the other: the second sees what the first
left. A posting's ``key`` is unique per city: the same key again answers the first posting.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangwen.core import audit
from chuangwen.core.errors import InvalidInput, PermissionDenied
from chuangwen.core.services import notify
from chuangwen.org.actors import (
    SYSTEM,
    SystemActor,
    actor_scope,
    actor_user,
    check_actor,
    is_system,
    require_office,
    require_unit,
)
from chuangwen.org.choices import UnitKind
from chuangwen.org.models import City, Person, Unit

from ...models import (
    BankCouncilMember,
    GoodDeed,
    Household,
    MoralAccount,
    MoralBank,
    MoralBankConfig,
    MoralBankEntry,
    MoralRule,
    MoralTransaction,
    Outlet,
    OutletMember,
)
from .. import codes
from ..choices import (
    DEED_TRANSITIONS,
    AccountKind,
    DeedStatus,
    HolderMode,
    ObjectionStatus,
    RuleKind,
    TxnKind,
)
from .common import check_transition, clean_points, clean_text, person_of, require_city_member

MAX_HOURS = Decimal("1000")
MAX_RATE = Decimal("1000")
TOPIC = "moral"


# --- configuration, banks, people -------------------------------------------------------------


def config_for(city: Any) -> MoralBankConfig:
    """The city's moral-bank settings (the defaults until the office saves its own)."""
    city_id = getattr(city, "pk", city)
    config = MoralBankConfig.objects.filter(city_id=city_id).first()
    return config or MoralBankConfig(city_id=city_id)


@transaction.atomic
def configure_moral_bank(
    city: City,
    *,
    holder_mode: str,
    points_per_hour: Any,
    points_per_report: int,
    notice_days: int,
    acting_user: Any,
) -> MoralBankConfig:
    require_office(acting_user, city)
    if holder_mode not in HolderMode.values:
        raise InvalidInput(_("开户方式无效"), code="bad_mode")
    try:
        rate = Decimal(str(points_per_hour))
    except InvalidOperation:
        raise InvalidInput(_("每小时积分必须是数字"), code="bad_rate") from None
    if not rate.is_finite() or rate < 0 or rate > MAX_RATE:
        raise InvalidInput(_("每小时积分必须在 0 到 1000 之间"), code="bad_rate")
    if not 0 <= int(points_per_report) <= 1000:
        raise InvalidInput(_("每件随手拍积分必须在 0 到 1000 之间"), code="bad_rate")
    if not 1 <= int(notice_days) <= 60:
        raise InvalidInput(_("公示天数必须在 1 到 60 天之间"), code="bad_days")
    config, _created = MoralBankConfig.objects.select_for_update().get_or_create(city=city)
    before = audit.snapshot(config, ["holder_mode", "points_per_hour", "points_per_report"])
    if holder_mode != config.holder_mode:
        opened = MoralAccount.objects.filter(city=city, kind=AccountKind.HOLDER).exists()
        if opened:
            raise InvalidInput(
                _("已有持有人账户，不能再更改开户方式（按个人或按家庭）"), code="mode_locked"
            )
    config.holder_mode = holder_mode
    config.points_per_hour = rate.quantize(Decimal("0.01"))
    config.points_per_report = int(points_per_report)
    config.notice_days = int(notice_days)
    config.save()
    after = audit.snapshot(config, ["holder_mode", "points_per_hour", "points_per_report"])
    audit.record(
        "volunteers.moral_config.saved", config, actor=acting_user, city=city,
        before=before, after=after, summary=_("道德银行设置"),
    )  # fmt: skip
    return config


@transaction.atomic
def create_bank(community: Unit, *, name: str = "", acting_user: Any) -> MoralBank:
    """Open a community's moral bank, with its issue and penalty accounts."""
    require_office(acting_user, community.city_id)
    if community.kind != UnitKind.COMMUNITY:
        raise InvalidInput(_("道德银行只能开设在社区"), code="not_community")
    if MoralBank.objects.filter(community=community).exists():
        raise InvalidInput(_("该社区已开设道德银行"), code="duplicate")
    name = clean_text(name or f"{community.name}道德银行", _("名称"), 100)
    bank = MoralBank.objects.create(city_id=community.city_id, community=community, name=name)
    for kind in (AccountKind.ISSUE, AccountKind.PENALTY):
        MoralAccount.objects.create(city_id=bank.city_id, bank=bank, kind=kind)
    audit.record("volunteers.moral_bank.created", bank, actor=acting_user, summary=name)
    return bank


def require_staff(actor: Any, bank: MoralBank) -> None:
    """The bank's own community (and the units above it) and the office."""
    require_unit(actor, bank.community, _("该道德银行不在您的管辖范围内"))


def is_council(actor: Any, bank: MoralBank) -> bool:
    if is_system(actor):
        return True
    scope = actor_scope(actor)
    if scope is not None and scope.write_all and scope.city_id == bank.city_id:
        return True
    return bool(
        scope
        and scope.person_id
        and BankCouncilMember.objects.filter(bank=bank, person_id=scope.person_id).exists()
    )


def require_council(actor: Any, bank: MoralBank) -> None:
    if not is_council(actor, bank):
        raise PermissionDenied(_("只有本社区道德评议会成员或创建办可以评议"))


def _same_city(bank: MoralBank, *people: Person) -> None:
    if any(p.city_id != bank.city_id for p in people):
        raise InvalidInput(_("人员不属于本市"), code="other_city")


@transaction.atomic
def add_council_member(bank: MoralBank, person: Person, *, acting_user: Any) -> BankCouncilMember:
    require_staff(acting_user, bank)
    _same_city(bank, person)
    member, created = BankCouncilMember.objects.get_or_create(bank=bank, person=person)
    if created:
        audit.record(
            "volunteers.moral_council.added", bank, actor=acting_user,
            after={"person": person.pk}, summary=person.name,
        )  # fmt: skip
    return member


def bank_for_person(person: Person) -> MoralBank | None:
    """The bank of the community the person belongs to (their own unit or one above it)."""
    paths = list(Unit.objects.filter(memberships__person=person).values_list("path", flat=True))
    banks = MoralBank.objects.filter(city_id=person.city_id, active=True).select_related(
        "community"
    )
    best = None
    for bank in banks:
        if any(p.startswith(bank.community.path) for p in paths) and (
            best is None or len(bank.community.path) > len(best.community.path)
        ):
            best = bank
    return best


def _new_holder_account(bank: MoralBank, **holder: Any) -> MoralAccount:
    try:
        with transaction.atomic():
            return MoralAccount.objects.create(
                city_id=bank.city_id, bank=bank, kind=AccountKind.HOLDER, **holder
            )
    except IntegrityError:  # opened at the same moment by another request
        return MoralAccount.objects.get(kind=AccountKind.HOLDER, **holder)


@transaction.atomic
def open_account(bank: MoralBank, person: Person, *, acting_user: Any) -> MoralAccount:
    """A person's account (按个人开户); answers the existing one when already open."""
    require_staff(acting_user, bank)
    _same_city(bank, person)
    if config_for(bank.city_id).holder_mode != HolderMode.PERSON:
        raise InvalidInput(_("本市按家庭开户，请登记家庭"), code="household_mode")
    existing = MoralAccount.objects.filter(person=person).first()
    if existing is not None:
        if existing.bank_id != bank.pk:
            raise InvalidInput(
                _("%(name)s 已在「%(bank)s」开户") % {"name": person.name, "bank": existing.bank},
                code="other_bank",
            )
        return existing
    account = _new_holder_account(bank, person=person)
    audit.record("volunteers.moral_account.opened", account, actor=acting_user, summary=person.name)
    return account


@transaction.atomic
def create_household(
    bank: MoralBank,
    *,
    name: str,
    address: str = "",
    members: list[Person],
    acting_user: Any,
) -> Household:
    """A household (按家庭开户) with its members and its account."""
    require_staff(acting_user, bank)
    if config_for(bank.city_id).holder_mode != HolderMode.HOUSEHOLD:
        raise InvalidInput(_("本市按个人开户，无需登记家庭"), code="person_mode")
    name = clean_text(name, _("户名"), 100)
    address = clean_text(address, _("住址"), 200, required=False)
    _same_city(bank, *members)
    taken = Household.objects.filter(city_id=bank.city_id, members__in=members).first()
    if taken is not None:
        raise InvalidInput(_("有成员已登记在家庭「%(h)s」") % {"h": taken.name}, code="taken")
    household = Household.objects.create(
        city_id=bank.city_id, bank=bank, name=name, address=address
    )
    household.members.set(members)
    _new_holder_account(bank, household=household)
    audit.record(
        "volunteers.moral_household.created", household, actor=acting_user,
        after={"members": [p.pk for p in members]}, summary=name,
    )  # fmt: skip
    return household


def holder_account_for(person: Person, *, open_if_missing: bool) -> MoralAccount | None:
    """The account that collects a person's points: their own (按个人) or their household's
    (按家庭). In person mode a missing account is opened at their community's bank when asked;
    ``None`` when there is none (no bank for their community, no household)."""
    if config_for(person.city_id).holder_mode == HolderMode.HOUSEHOLD:
        return (
            MoralAccount.objects.filter(household__members=person, kind=AccountKind.HOLDER)
            .order_by("id")
            .first()
        )
    account = MoralAccount.objects.filter(person=person).first()
    if account is None and open_if_missing:
        bank = bank_for_person(person)
        if bank is not None:
            account = _new_holder_account(bank, person=person)
    return account


def is_holder(actor: Any, account: MoralAccount) -> bool:
    person = person_of(actor)
    if person is None:
        return False
    if account.person_id:
        return account.person_id == person.pk
    if account.household is not None:
        return account.household.members.filter(pk=person.pk).exists()
    return False


# --- outlets and rules ------------------------------------------------------------------------


@transaction.atomic
def create_outlet(bank: MoralBank, *, name: str, address: str = "", acting_user: Any) -> Outlet:
    require_staff(acting_user, bank)
    name = clean_text(name, _("名称"), 100)
    address = clean_text(address, _("地址"), 200, required=False)
    outlet = Outlet.objects.create(city_id=bank.city_id, bank=bank, name=name, address=address)
    MoralAccount.objects.create(
        city_id=bank.city_id, bank=bank, kind=AccountKind.OUTLET, outlet=outlet
    )
    audit.record("volunteers.moral_outlet.created", outlet, actor=acting_user, summary=name)
    return outlet


@transaction.atomic
def add_outlet_member(outlet: Outlet, person: Person, *, acting_user: Any) -> OutletMember:
    require_staff(acting_user, outlet.bank)
    _same_city(outlet.bank, person)
    member, created = OutletMember.objects.get_or_create(outlet=outlet, person=person)
    if created:
        audit.record(
            "volunteers.moral_outlet.member_added", outlet, actor=acting_user,
            after={"person": person.pk}, summary=person.name,
        )  # fmt: skip
    return member


@transaction.atomic
def create_rule(
    city: City, *, kind: str, code: str, name: str, points: Any, acting_user: Any
) -> MoralRule:
    """A published earning or deduction rule (the office's own wording and points)."""
    require_office(acting_user, city)
    if kind not in RuleKind.values:
        raise InvalidInput(_("规则类型无效"), code="bad_kind")
    code = clean_text(code, _("编号"), 20)
    name = clean_text(name, _("名称"), 200)
    points = clean_points(points)
    if MoralRule.objects.filter(city=city, code=code).exists():
        raise InvalidInput(_("规则编号「%(c)s」已存在") % {"c": code}, code="duplicate")
    rule = MoralRule.objects.create(city=city, kind=kind, code=code, name=name, points=points)
    audit.record(
        "volunteers.moral_rule.created", rule, actor=acting_user,
        after={"kind": kind, "points": points}, summary=name,
    )  # fmt: skip
    return rule


# --- the ledger -------------------------------------------------------------------------------


def _system_account(bank: MoralBank, kind: str) -> MoralAccount:
    return MoralAccount.objects.get(bank=bank, kind=kind)


def _lock(account: MoralAccount) -> MoralAccount:
    return MoralAccount.objects.select_for_update().select_related("bank").get(pk=account.pk)


def _existing(city_id: int, key: str) -> MoralTransaction | None:
    return MoralTransaction.objects.filter(city_id=city_id, key=key).first()


def _post(
    *,
    kind: str,
    key: str,
    holder: MoralAccount,
    other: MoralAccount,
    delta: int,
    acting_user: Any,
    outlet: Outlet | None = None,
    rule: MoralRule | None = None,
    ref: str = "",
    note: str = "",
) -> MoralTransaction:
    """Write one posting: ``delta`` points to the (locked) holder, ``-delta`` to ``other``."""
    now = timezone.now()
    try:
        with transaction.atomic():
            txn = MoralTransaction.objects.create(
                city_id=holder.city_id, bank_id=holder.bank_id, kind=kind, key=key,
                holder=holder, outlet=outlet, rule=rule, amount=abs(delta), ref=ref[:100],
                note=note[:300], at=now, created_by=actor_user(acting_user),
            )  # fmt: skip
    except IntegrityError:
        # the same key committed by another request (a different holder, so not serialised
        # by the row lock): answer that posting
        first = _existing(holder.city_id, key)
        if first is None:
            raise
        return first
    MoralBankEntry.objects.bulk_create(
        [
            MoralBankEntry(txn=txn, account=holder, amount=delta, at=now),
            MoralBankEntry(txn=txn, account=other, amount=-delta, at=now),
        ]
    )
    MoralAccount.objects.filter(pk=holder.pk).update(balance=F("balance") + delta)
    MoralAccount.objects.filter(pk=other.pk).update(balance=F("balance") - delta)
    holder.balance += delta
    audit.record(
        f"volunteers.moral_txn.{kind}", txn, actor=acting_user,
        after={"holder": holder.pk, "other": other.pk, "delta": delta, "key": key},
        summary=f"{TxnKind(kind).label} {delta:+d}",
    )  # fmt: skip
    if holder.person is not None or holder.household is not None:
        users = (
            [holder.person.user_id]
            if holder.person is not None
            else list(holder.household.members.values_list("user_id", flat=True))  # type: ignore[union-attr]
        )
        text = _("道德银行：%(kind)s %(delta)+d 分，余额 %(balance)d 分") % {
            "kind": TxnKind(kind).label,
            "delta": delta,
            "balance": holder.balance,
        }
        notify(users, text, url="/volunteers/bank/me/", topic=TOPIC)
    return txn


def _earn(
    holder: MoralAccount,
    points: int,
    *,
    kind: str,
    key: str,
    acting_user: Any,
    rule: MoralRule | None = None,
    ref: str = "",
    note: str = "",
) -> MoralTransaction:
    holder = _lock(holder)
    first = _existing(holder.city_id, key)
    if first is not None:
        return first
    if holder.kind != AccountKind.HOLDER or not holder.active:
        raise InvalidInput(_("该账户不能获得积分"), code="bad_account")
    issue = _system_account(holder.bank, AccountKind.ISSUE)
    return _post(
        kind=kind, key=key, holder=holder, other=issue, delta=points, rule=rule, ref=ref,
        note=note, acting_user=acting_user,
    )  # fmt: skip


def points_for_hours(city: Any, hours: Any) -> int:
    """Points the city's rule gives for ``hours`` of confirmed service (rounded half up)."""
    try:
        h = Decimal(str(hours))
    except InvalidOperation:
        raise InvalidInput(_("服务时长必须是数字"), code="bad_hours") from None
    if not h.is_finite() or h <= 0 or h > MAX_HOURS:
        raise InvalidInput(_("服务时长必须大于 0 且不超过 1000 小时"), code="bad_hours")
    rate = config_for(city).points_per_hour
    return int((h * rate).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def hours_label(hours: Any) -> str:
    """Hours as people write them: at most two decimals, no trailing zeros (1.52, 2, 0.5)."""
    h = Decimal(str(hours)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{h.normalize():f}"


@transaction.atomic
def earn_points_for_hours(
    target: Person | MoralAccount, hours: Any, ref: str, *, acting_user: Any
) -> MoralTransaction | None:
    """Credit confirmed volunteer hours by the city's rule (``points_per_hour``).

    ``target`` is the volunteer's person (their account, or their household's, is found; in
    person mode it is opened at their community's bank when missing) or an account. ``ref``
    names the confirmed record (e.g. ``"servicerecord:42"``): crediting the same ref again
    answers the first posting, so the caller may retry. Returns ``None`` when there is nothing
    to credit: the person's community has no moral bank (or they have no household in
    household mode), or the rule gives 0 points for these hours."""
    check_actor(acting_user)
    ref = clean_text(ref, _("来源"), 90)
    if isinstance(target, MoralAccount):
        holder: MoralAccount | None = target
    else:
        holder = holder_account_for(target, open_if_missing=True)
    if holder is None:
        return None
    if not is_system(acting_user):
        require_staff(acting_user, holder.bank)
    points = points_for_hours(holder.city_id, hours)
    if points <= 0:
        return None
    return _earn(
        holder, points, kind=TxnKind.HOURS, key=f"hours:{ref}", ref=ref,
        note=_("志愿服务 %(h)s 小时") % {"h": hours_label(hours)},
        acting_user=acting_user,
    )  # fmt: skip


@dataclass
class Redemption:
    txn: MoralTransaction
    created: bool
    balance: int


def account_for_code(city_id: int, raw: str) -> MoralAccount:
    """The holder account of a valid, current code; refuses a wrong or expired one."""
    parsed = codes.parse_code(raw)
    wrong = _("积分码无效或已过期，请让持有人刷新积分码后重新扫码")
    if parsed is None:
        raise InvalidInput(wrong, code="bad_code")
    account = (
        MoralAccount.objects.select_related("bank", "person", "household")
        .filter(pk=parsed.account_id, city_id=city_id, kind=AccountKind.HOLDER, active=True)
        .first()
    )
    if account is None or not codes.check_code(parsed, account.code_version):
        raise InvalidInput(wrong, code="bad_code")
    return account


def require_outlet_staff(actor: Any, outlet: Outlet) -> None:
    if is_system(actor):
        return
    person = person_of(actor)
    if person is None or not OutletMember.objects.filter(outlet=outlet, person=person).exists():
        raise PermissionDenied(_("您不是该兑换点的店员"))


@transaction.atomic
def redeem_points(
    outlet: Outlet, code: str, points: Any, *, key: str, note: str = "", acting_user: Any
) -> Redemption:
    """An outlet redeems ``points`` of the holder whose code it scanned. Idempotent by ``key``
    (the outlet's form token or API idempotency key): the same key again answers the first
    redemption. A redemption beyond the balance is refused — also when several arrive at once:
    the holder's row is locked, so each sees the balance the one before it left."""
    require_outlet_staff(acting_user, outlet)
    if not outlet.active:
        raise InvalidInput(_("该兑换点已停用"), code="outlet_inactive")
    points = clean_points(points)
    key = clean_text(key, _("幂等键"), 100)
    note = clean_text(note, _("兑换内容"), 200, required=False)
    holder = account_for_code(outlet.city_id, code)
    holder = _lock(holder)
    full_key = f"redeem:{outlet.pk}:{key}"
    first = _existing(outlet.city_id, full_key)
    if first is not None:
        if first.holder_id != holder.pk or first.amount != points:
            raise InvalidInput(
                _("该兑换单号已用于另一笔兑换，请重新打开兑换页面"), code="key_reused"
            )
        holder.refresh_from_db(fields=["balance"])
        return Redemption(first, False, holder.balance)
    if holder.balance < points:
        raise InvalidInput(
            _("积分余额不足：当前余额 %(b)d 分，本次兑换需要 %(n)d 分，兑换未执行")
            % {"b": holder.balance, "n": points},
            code="insufficient",
        )
    txn = _post(
        kind=TxnKind.REDEEM, key=full_key, holder=holder, other=outlet.account, delta=-points,
        outlet=outlet, note=note or _("兑换"), acting_user=acting_user,
    )  # fmt: skip
    return Redemption(txn, True, holder.balance)


@transaction.atomic
def deduct_points(
    account: MoralAccount, rule: MoralRule, *, key: str, note: str = "", acting_user: Any
) -> MoralTransaction:
    """Deduct by a published rule (uncivil conduct), decided by the bank's council. The balance
    never goes below zero: when it is smaller than the rule's points, what is there is
    deducted and the note says so."""
    require_council(acting_user, account.bank)
    if rule.kind != RuleKind.DEDUCT or not rule.active or rule.city_id != account.city_id:
        raise InvalidInput(_("请选择有效的扣分规则"), code="bad_rule")
    key = clean_text(key, _("幂等键"), 100)
    note = clean_text(note, _("说明"), 200, required=False)
    holder = _lock(account)
    full_key = f"deduct:{key}"
    first = _existing(holder.city_id, full_key)
    if first is not None:
        return first
    if holder.kind != AccountKind.HOLDER:
        raise InvalidInput(_("只能对持有人账户扣分"), code="bad_account")
    points = min(rule.points, holder.balance)
    if points < rule.points:
        note = _("按规则应扣 %(r)d 分，余额仅 %(b)d 分，实扣 %(b)d 分") % {
            "r": rule.points,
            "b": holder.balance,
        } + (f"；{note}" if note else "")
    if points == 0:
        raise InvalidInput(_("该账户余额为 0，无可扣积分"), code="nothing_to_deduct")
    penalty = _system_account(holder.bank, AccountKind.PENALTY)
    return _post(
        kind=TxnKind.DEDUCT, key=full_key, holder=holder, other=penalty, delta=-points,
        rule=rule, note=note or rule.name, acting_user=acting_user,
    )  # fmt: skip


@transaction.atomic
def reset_holder_code(account: MoralAccount, *, acting_user: Any) -> MoralAccount:
    """A new code for a lost phone: every code shown before stops working."""
    if not (is_holder(acting_user, account) or is_system(acting_user)):
        require_staff(acting_user, account.bank)
    MoralAccount.objects.filter(pk=account.pk).update(code_version=F("code_version") + 1)
    account.refresh_from_db(fields=["code_version"])
    audit.record("volunteers.moral_account.code_reset", account, actor=acting_user)
    return account


# --- good deeds -------------------------------------------------------------------------------


@transaction.atomic
def nominate_deed(
    account: MoralAccount,
    rule: MoralRule,
    *,
    title: str,
    description: str = "",
    acting_user: Any,
) -> GoodDeed:
    """Nominate a good deed of an account holder for the points of an earning rule; it counts
    only after the council's review and the public notice."""
    require_city_member(acting_user, account.city_id)
    if account.kind != AccountKind.HOLDER:
        raise InvalidInput(_("只能为持有人账户提名"), code="bad_account")
    if rule.kind != RuleKind.EARN or not rule.active or rule.city_id != account.city_id:
        raise InvalidInput(_("请选择有效的加分规则"), code="bad_rule")
    deed = GoodDeed.objects.create(
        city_id=account.city_id, bank_id=account.bank_id, account=account, rule=rule,
        title=clean_text(title, _("事迹"), 200),
        description=clean_text(description, _("详细说明"), 2000, required=False),
        points=rule.points, nominated_by=actor_user(acting_user),
    )  # fmt: skip
    audit.record("volunteers.moral_deed.nominated", deed, actor=acting_user, summary=deed.title)
    return deed


@transaction.atomic
def review_deed(deed: GoodDeed, *, approve: bool, note: str = "", acting_user: Any) -> GoodDeed:
    """The council's review: approved deeds go on public notice for the city's notice days."""
    require_council(acting_user, deed.bank)
    deed = GoodDeed.objects.select_for_update().get(pk=deed.pk)
    target = DeedStatus.NOTICE if approve else DeedStatus.REJECTED
    check_transition(DEED_TRANSITIONS, deed.status, target, DeedStatus)
    before = audit.snapshot(deed, ["status"])
    deed.status = target
    deed.review_note = clean_text(note, _("评议意见"), 300, required=False)
    deed.reviewed_by = actor_user(acting_user)
    if approve:
        days = config_for(deed.city_id).notice_days
        deed.notice_until = timezone.localdate() + dt.timedelta(days=days)
    deed.save(update_fields=["status", "review_note", "reviewed_by", "notice_until", "updated_at"])
    audit.record(
        "volunteers.moral_deed.reviewed", deed, actor=acting_user, before=before,
        after=audit.snapshot(deed, ["status", "notice_until"]), summary=deed.title,
    )  # fmt: skip
    return deed


@transaction.atomic
def credit_deed(deed: GoodDeed, *, acting_user: Any) -> GoodDeed:
    """Book a deed's points once its notice period has ended without an open objection."""
    require_council(acting_user, deed.bank)
    deed = GoodDeed.objects.select_for_update().select_related("bank").get(pk=deed.pk)
    check_transition(DEED_TRANSITIONS, deed.status, DeedStatus.CREDITED, DeedStatus)
    if deed.notice_until is None or timezone.localdate() <= deed.notice_until:
        raise InvalidInput(_("公示期尚未结束，不能记分"), code="in_notice")
    if deed.objections.filter(status=ObjectionStatus.OPEN).exists():
        raise InvalidInput(_("尚有未处理的公示异议，请先处理"), code="open_objection")
    txn = _earn(
        deed.account, deed.points, kind=TxnKind.DEED, key=f"deed:{deed.pk}", rule=deed.rule,
        ref=f"gooddeed:{deed.pk}", note=deed.title, acting_user=acting_user,
    )  # fmt: skip
    deed.status, deed.txn = DeedStatus.CREDITED, txn
    deed.save(update_fields=["status", "txn", "updated_at"])
    return deed


def credit_due_deeds(city_id: int | None = None) -> int:
    """The daily job: credit every deed whose notice has ended without an open objection."""
    today = timezone.localdate()
    due = GoodDeed.objects.filter(status=DeedStatus.NOTICE, notice_until__lt=today).exclude(
        objections__status=ObjectionStatus.OPEN
    )
    if city_id:
        due = due.filter(city_id=city_id)
    actor = SystemActor("moral.deeds")
    done = 0
    for deed in due.order_by("id"):
        credit_deed(deed, acting_user=actor)
        done += 1
    return done


# --- valid 随手拍 reports -----------------------------------------------------------------------


def credit_citizen_reports(city: City, *, acting_user: Any) -> int:
    """Credit the reporters of valid 随手拍 reports: a citizen's report whose case was verified
    (verified, closed or rated, and not ended as duplicate or invalid). Idempotent (one posting
    per report, key ``report:<id>``), so the daily job may run any number of times."""
    from chuangwen.cases.choices import Resolution, Source, State
    from chuangwen.cases.models import Report

    require_office(acting_user, city)
    points = config_for(city).points_per_report
    if points <= 0:
        return 0
    done_keys = set(
        MoralTransaction.objects.filter(city=city, kind=TxnKind.REPORT).values_list(
            "key", flat=True
        )
    )
    reports = (
        Report.objects.filter(
            city=city,
            source=Source.CITIZEN,
            reporter__isnull=False,
            case__state__in=[State.VERIFIED, State.CLOSED, State.RATED],
        )
        .exclude(case__resolution__in=[Resolution.DUPLICATE, Resolution.INVALID])
        .select_related("reporter", "case")
        .order_by("id")
    )
    credited = 0
    for report in reports.iterator(chunk_size=1000):
        key = f"report:{report.pk}"
        if key in done_keys or report.reporter is None:
            continue
        with transaction.atomic():
            holder = holder_account_for(report.reporter, open_if_missing=True)
            if holder is None:
                continue
            _earn(
                holder, points, kind=TxnKind.REPORT, key=key, ref=f"report:{report.pk}",
                note=_("随手拍 %(code)s 经核查有效") % {"code": report.tracking_code},
                acting_user=acting_user,
            )  # fmt: skip
        credited += 1
    return credited


__all__ = [
    "Redemption",
    "account_for_code",
    "add_council_member",
    "add_outlet_member",
    "bank_for_person",
    "config_for",
    "configure_moral_bank",
    "create_bank",
    "create_household",
    "create_outlet",
    "create_rule",
    "credit_citizen_reports",
    "credit_deed",
    "credit_due_deeds",
    "deduct_points",
    "earn_points_for_hours",
    "holder_account_for",
    "is_council",
    "is_holder",
    "nominate_deed",
    "open_account",
    "points_for_hours",
    "redeem_points",
    "require_council",
    "require_outlet_staff",
    "require_staff",
    "reset_holder_code",
    "review_deed",
]


def credit_confirmed_hours(records: list[Any]) -> None:
    """The hours listener (``volunteers.hooks``): confirmed service time earns points at the
    volunteer's moral bank by the city's rule, inside the confirmation's transaction. Each
    record is credited once (its ref is the idempotency key); a negative correction earns
    nothing and takes back nothing — points may have been spent, the council deducts by rule."""
    for record in records:
        if record.minutes > 0:
            earn_points_for_hours(
                record.volunteer.person,
                Decimal(record.minutes) / 60,
                f"servicerecord:{record.pk}",
                acting_user=SYSTEM,
            )

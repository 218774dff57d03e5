"""Pages of the moral bank: the office's and communities' pages, the holder's phone page (my
balance, entries, my code) and the outlet's phone page (scan or type a code, points, confirm →
receipt)."""

import datetime as dt
import uuid
from typing import Any

import segno
from django.contrib import messages
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chuangwen.core.errors import InvalidInput, NotFound, PermissionDenied
from chuangwen.core.permissions import member_required, office_required
from chuangwen.core.views import list_template
from chuangwen.org.models import City
from chuangwen.volunteers.tables import AccountTable, DeedTable, EntryTable, TransactionTable

from ..models import GoodDeed, MoralAccount, MoralBankEntry, MoralRule, Outlet
from . import codes, exports, selectors, services
from .choices import DeedStatus, HolderMode
from .filters import AccountFilter, TransactionFilter
from .forms import (
    BankForm,
    ConfigForm,
    DeductForm,
    DeedForm,
    HouseholdForm,
    MonthForm,
    OutletForm,
    OutletMemberForm,
    PersonForm,
    RedeemForm,
    ReviewForm,
    RuleForm,
)


def _scope(request: HttpRequest) -> Any:
    return request.scope  # type: ignore[attr-defined]


def _city(request: HttpRequest) -> City:
    return City.objects.get(pk=_scope(request).city_id)


def _key() -> str:
    return uuid.uuid4().hex


# --- office and community pages ---------------------------------------------------------------


@member_required
@require_GET
def bank_list(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    banks = selectors.bank_summaries(scope)
    context: dict[str, Any] = {"banks": banks, "config": services.config_for(scope.city_id)}
    if scope.is_office:
        context["bank_form"] = BankForm(city_id=scope.city_id)
    return render(request, "volunteers/moral/bank_list.html", context)


@office_required
@require_POST
def bank_create(request: HttpRequest) -> HttpResponse:
    form = BankForm(request.POST, city_id=_scope(request).city_id)
    if not form.is_valid():
        raise InvalidInput(_("请选择尚未开设道德银行的社区"), code="bad_form")
    bank = services.create_bank(
        form.cleaned_data["community"], name=form.cleaned_data["name"], acting_user=request.user
    )
    messages.success(request, _("已开设「%(n)s」") % {"n": bank.name})
    return redirect("volunteers:bank", bank.pk)


@office_required
def bank_settings(request: HttpRequest) -> HttpResponse:
    """The city's settings and its published rules."""
    city = _city(request)
    config = services.config_for(city)
    form = ConfigForm(
        request.POST if request.POST.get("form") == "config" else None,
        initial={
            "holder_mode": config.holder_mode,
            "points_per_hour": config.points_per_hour,
            "points_per_report": config.points_per_report,
            "notice_days": config.notice_days,
        },
    )
    rule_form = RuleForm(request.POST if request.POST.get("form") == "rule" else None)
    status = 200
    if request.method == "POST":
        try:
            if form.is_bound and form.is_valid():
                services.configure_moral_bank(city, **form.cleaned_data, acting_user=request.user)
                messages.success(request, _("设置已保存"))
                return redirect("volunteers:bank_settings")
            if rule_form.is_bound and rule_form.is_valid():
                services.create_rule(city, **rule_form.cleaned_data, acting_user=request.user)
                messages.success(request, _("规则已发布"))
                return redirect("volunteers:bank_settings")
        except InvalidInput as exc:
            messages.error(request, str(exc.message))
        status = 400
    rules = MoralRule.objects.filter(city=city).order_by("kind", "code")
    return render(
        request,
        "volunteers/moral/bank_settings.html",
        {"form": form, "rule_form": rule_form, "rules": rules, "config": config},
        status=status,
    )


@member_required
@require_GET
def bank_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    bank = selectors.get_bank_for_user(scope, pk)
    accounts = AccountFilter(
        request.GET, queryset=selectors.accounts_for_user(scope).filter(bank=bank)
    )
    page = AccountTable(request, accounts.qs).page
    if getattr(request, "htmx", False):
        return render(request, "volunteers/moral/_account_rows.html", {"page": page})
    outlets = Outlet.objects.filter(bank=bank).select_related("account").order_by("name")
    mode = services.config_for(bank.city_id).holder_mode
    can_write = scope.can_write_unit(bank.community)
    context = {
        "bank": bank,
        "filter": accounts,
        "page": page,
        "outlets": outlets,
        "council": bank.council.select_related("person").order_by("person__name"),
        "transactions": selectors.transactions_for_user(scope).filter(bank=bank)[:20],
        "mode": mode,
        "can_write": can_write,
        "household_mode": mode == HolderMode.HOUSEHOLD,
    }
    if can_write:
        context.update(
            person_form=PersonForm(city_id=bank.city_id),
            household_form=HouseholdForm(city_id=bank.city_id),
            outlet_form=OutletForm(),
            outlet_member_form=OutletMemberForm(city_id=bank.city_id, outlets=outlets),
        )
    return render(request, "volunteers/moral/bank_detail.html", context)


@member_required
@require_POST
def bank_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """The community's (and the office's) writes on a bank: open an account, register a
    household, add a council member, an outlet or an outlet clerk."""
    scope = _scope(request)
    bank = selectors.get_bank_for_user(scope, pk)
    user = request.user
    outlets = Outlet.objects.filter(bank=bank)
    forms_by_action: dict[str, Any] = {
        "account": PersonForm(request.POST, city_id=bank.city_id),
        "council": PersonForm(request.POST, city_id=bank.city_id),
        "household": HouseholdForm(request.POST, city_id=bank.city_id),
        "outlet": OutletForm(request.POST),
        "outlet_member": OutletMemberForm(request.POST, city_id=bank.city_id, outlets=outlets),
    }
    form = forms_by_action.get(action)
    if form is None:
        raise NotFound()
    if not form.is_valid():
        raise InvalidInput(_("请完整填写表单"), code="bad_form")
    d = form.cleaned_data
    if action == "account":
        account = services.open_account(bank, d["person"], acting_user=user)
        messages.success(request, _("已开户：%(n)s") % {"n": account.number})
    elif action == "council":
        services.add_council_member(bank, d["person"], acting_user=user)
        messages.success(request, _("已加入评议会"))
    elif action == "household":
        services.create_household(
            bank, name=d["name"], address=d["address"], members=list(d["members"]),
            acting_user=user,
        )  # fmt: skip
        messages.success(request, _("已登记家庭并开户"))
    elif action == "outlet":
        services.create_outlet(bank, name=d["name"], address=d["address"], acting_user=user)
        messages.success(request, _("已添加兑换点"))
    else:
        services.add_outlet_member(d["outlet"], d["person"], acting_user=user)
        messages.success(request, _("已添加店员"))
    return redirect("volunteers:bank", bank.pk)


@member_required
@require_GET
def transaction_list(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    f = TransactionFilter(request.GET, queryset=selectors.transactions_for_user(scope))
    page = TransactionTable(request, f.qs).page
    template = list_template(
        request, "volunteers/moral/transaction_list.html", "volunteers/moral/_txn_rows.html"
    )
    return render(request, template, {"filter": f, "page": page})


@member_required
@require_GET
def statement(request: HttpRequest, pk: int) -> HttpResponse:
    """The bank's monthly statement: one row per holder; ``?format=xlsx`` for Excel."""
    bank = selectors.get_bank_for_user(_scope(request), pk)
    form = MonthForm.of(request.GET)
    month = form.month_or_current()
    rows = selectors.bank_statement(bank, month)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            exports.statement_workbook(bank, month, rows), content_type=exports.XLSX
        )
        response["Content-Disposition"] = content_disposition_header(
            True, exports.statement_filename(bank, month)
        )
        return response
    totals = {
        k: sum(getattr(r, k) for r in rows)
        for k in ("opening", "earned", "deducted", "redeemed", "closing")
    }
    return render(
        request,
        "volunteers/moral/statement.html",
        {"bank": bank, "rows": rows, "month": month, "form": form, "totals": totals},
    )


@member_required
@require_GET
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    account = selectors.get_account_for_user(scope, pk)
    page = EntryTable(request, selectors.entries_of(account)).page
    context: dict[str, Any] = {"account": account, "page": page}
    if services.is_council(request.user, account.bank):
        context["deduct_form"] = DeductForm(city_id=account.city_id, initial={"key": _key()})
    if scope.city_id == account.city_id:
        context["deed_form"] = DeedForm(city_id=account.city_id)
    return render(request, "volunteers/moral/account_detail.html", context)


@member_required
@require_POST
def account_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    account = selectors.get_account_for_user(_scope(request), pk)
    if action == "deduct":
        form = DeductForm(request.POST, city_id=account.city_id)
        if not form.is_valid():
            raise InvalidInput(_("请选择扣分规则"), code="bad_form")
        d = form.cleaned_data
        txn = services.deduct_points(
            account, d["rule"], key=d["key"], note=d["note"], acting_user=request.user
        )
        messages.success(request, _("已扣除 %(n)d 分") % {"n": txn.amount})
    elif action == "deed":
        deed_form = DeedForm(request.POST, city_id=account.city_id)
        if not deed_form.is_valid():
            raise InvalidInput(_("请选择加分规则并填写事迹"), code="bad_form")
        services.nominate_deed(account, **deed_form.cleaned_data, acting_user=request.user)
        messages.success(request, _("已提名，待道德评议会评议"))
    else:
        raise NotFound()
    return redirect("volunteers:account", account.pk)


@member_required
@require_GET
def deed_list(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    qs = selectors.deeds_for_user(scope)
    status = request.GET.get("status", "")
    if status in DeedStatus.values:
        qs = qs.filter(status=status)
    page = DeedTable(request, qs).page
    councils = selectors.council_banks(scope, [d.bank for d in page])
    return render(
        request,
        "volunteers/moral/deed_list.html",
        {"page": page, "status": status, "statuses": DeedStatus.choices, "councils": councils,
         "review_form": ReviewForm()},
    )  # fmt: skip


@member_required
@require_POST
def deed_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    deed: GoodDeed = selectors.get_deed_for_user(_scope(request), pk)
    form = ReviewForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    if action in ("approve", "reject"):
        services.review_deed(deed, approve=action == "approve", note=note, acting_user=request.user)
        messages.success(request, _("评议结果已保存"))
    elif action == "credit":
        services.credit_deed(deed, acting_user=request.user)
        messages.success(request, _("已记分"))
    else:
        raise NotFound()
    return redirect("volunteers:deeds")


# --- the holder's phone page ------------------------------------------------------------------


def _code_context(account: MoralAccount) -> dict[str, Any]:
    code = codes.make_code(account.pk, account.code_version)
    # our own code (letters, digits, a dash) drawn by segno: markup with no user text in it
    svg = segno.make(code, micro=False, error="m").svg_inline(scale=6)
    until = timezone.localtime(dt.datetime.fromtimestamp(codes.valid_until(), tz=dt.UTC))
    return {"account": account, "code": code, "qr": mark_safe(svg), "until": until}


@member_required
@require_GET
def my_bank(request: HttpRequest) -> HttpResponse:
    """我的道德银行 (phone): balance, this month's entries, my code."""
    scope = _scope(request)
    accounts = selectors.my_accounts(scope)
    form = MonthForm.of(request.GET)
    month = form.month_or_current()
    start, end = selectors._aware(month), selectors._aware(selectors.next_month(month))
    cards = []
    for account in accounts:
        entries = list(
            selectors.entries_of(account).filter(at__gte=start, at__lt=end).order_by("-at", "-id")
        )
        before = MoralBankEntry.objects.filter(account=account, at__lt=start)
        opening = before.aggregate(s=Sum("amount"))["s"] or 0
        cards.append({**_code_context(account), "entries": entries, "opening": opening,
                      "closing": opening + sum(e.amount for e in entries)})  # fmt: skip
    return render(
        request,
        "volunteers/moral/my_bank.html",
        {
            "cards": cards,
            "month": month,
            "form": form,
            "serves_at_outlet": selectors.is_outlet_clerk(scope),
        },
    )


@member_required
@require_GET
def my_code(request: HttpRequest, pk: int) -> HttpResponse:
    """The code card alone (htmx refreshes it every minute)."""
    account = next((a for a in selectors.my_accounts(_scope(request)) if a.pk == pk), None)
    if account is None:
        raise NotFound()
    return render(request, "volunteers/moral/_code.html", _code_context(account))


@member_required
@require_POST
def my_code_reset(request: HttpRequest, pk: int) -> HttpResponse:
    account = next((a for a in selectors.my_accounts(_scope(request)) if a.pk == pk), None)
    if account is None:
        raise NotFound()
    services.reset_holder_code(account, acting_user=request.user)
    messages.success(request, _("积分码已重置，旧码全部失效"))
    return redirect("volunteers:my_bank")


# --- the outlet's phone page ------------------------------------------------------------------


def _outlet(request: HttpRequest, pk: int | None) -> tuple[Outlet, list[Outlet]]:
    outlets = selectors.my_outlets(_scope(request))
    if not outlets:
        raise PermissionDenied(_("您不是任何兑换点的店员"))
    if pk is None:
        return outlets[0], outlets
    outlet = next((o for o in outlets if o.pk == pk), None)
    if outlet is None:
        raise NotFound()
    return outlet, outlets


@member_required
def outlet_page(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """兑换 (phone): scan or type the holder's code and the points → confirm → receipt."""
    outlet, outlets = _outlet(request, pk)
    form = RedeemForm(request.POST or None, initial={"key": _key()})
    context: dict[str, Any] = {"outlet": outlet, "outlets": outlets, "form": form}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "volunteers/moral/outlet.html", context, status=400)
        d = form.cleaned_data
        try:
            services.require_outlet_staff(request.user, outlet)
            holder = services.account_for_code(outlet.city_id, d["code"])
            if request.POST.get("step") == "confirm":
                r = services.redeem_points(
                    outlet, d["code"], d["points"], key=d["key"], note=d["note"],
                    acting_user=request.user,
                )  # fmt: skip
                return redirect("volunteers:outlet_receipt", outlet.pk, r.txn.pk)
        except InvalidInput as exc:
            form.add_error(None, str(exc.message))
            return render(request, "volunteers/moral/outlet.html", context, status=400)
        context.update(holder=holder, enough=holder.balance >= d["points"], data=d)
        return render(request, "volunteers/moral/outlet_confirm.html", context)
    return render(request, "volunteers/moral/outlet.html", context)


@member_required
@require_GET
def outlet_receipt(request: HttpRequest, pk: int, txn: int) -> HttpResponse:
    receipt = selectors.outlet_receipt(_scope(request), pk, txn)
    # postings to one holder are serialised by its row lock, so its entries' ids are in order
    mine = receipt.entries.get(account_id=receipt.holder_id)
    upto = MoralBankEntry.objects.filter(account_id=receipt.holder_id, id__lte=mine.pk)
    balance_after = upto.aggregate(s=Sum("amount"))["s"] or 0
    return render(
        request, "volunteers/moral/receipt.html", {"txn": receipt, "balance_after": balance_after}
    )

"""API of part B: banks, accounts and their entries, my accounts and my code, redemption at an
outlet (idempotent by ``key``), moral models and civility selections."""

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status
from ninja.pagination import paginate

from chuangwen.core.endpoints import act
from chuangwen.core.filtering import filter_doc, filtered
from chuangwen.core.schemas import Paged
from chuangwen.org.scope import scope_of

from . import codes, selectors, services
from .filters import AccountFilter, HonourFilter, SelectionFilter, TransactionFilter
from .schemas import (
    MoralAccountOut,
    MoralBankOut,
    MoralCodeOut,
    MoralEntryOut,
    MoralModelOut,
    MoralRedeemIn,
    MoralRedeemOut,
    MoralTxnOut,
    SelectionOut,
    SelectionProposalOut,
)

router = Router(tags=["道德银行、道德模范与文明创建评选"])


@router.get("/banks", response=list[MoralBankOut], summary="道德银行（管辖范围内）")
@paginate(Paged)
def list_banks(request: HttpRequest):
    return selectors.banks_for_user(scope_of(request)).order_by("id")


@router.get(
    "/accounts",
    response=list[MoralAccountOut],
    summary="持有人账户",
    openapi_extra=filter_doc(AccountFilter),
)
@paginate(Paged)
def list_accounts(request: HttpRequest):
    return filtered(AccountFilter, request, selectors.accounts_for_user(scope_of(request)))


@router.get("/accounts/{account_id}", response=MoralAccountOut, summary="账户（含余额）")
def get_account(request: HttpRequest, account_id: int):
    return selectors.get_account_for_user(scope_of(request), account_id)


@router.get(
    "/accounts/{account_id}/entries", response=list[MoralEntryOut], summary="账户的积分分录"
)
@paginate(Paged)
def list_entries(request: HttpRequest, account_id: int):
    return selectors.entries_of(selectors.get_account_for_user(scope_of(request), account_id))


@router.get(
    "/transactions",
    response=list[MoralTxnOut],
    summary="积分流水",
    openapi_extra=filter_doc(TransactionFilter),
)
@paginate(Paged)
def list_transactions(request: HttpRequest):
    return filtered(TransactionFilter, request, selectors.transactions_for_user(scope_of(request)))


@router.get("/me/accounts", response=list[MoralAccountOut], summary="我的账户")
def my_accounts(request: HttpRequest):
    return selectors.my_accounts(scope_of(request))


@router.get("/me/accounts/{account_id}/code", response=MoralCodeOut, summary="我的积分码")
def my_code(request: HttpRequest, account_id: int):
    account = next(
        (a for a in selectors.my_accounts(scope_of(request)) if a.pk == account_id), None
    )
    if account is None:
        from chuangwen.core.errors import NotFound

        raise NotFound()
    until = dt.datetime.fromtimestamp(codes.valid_until(), tz=dt.UTC)
    return MoralCodeOut(
        account_id=account.pk,
        code=codes.make_code(account.pk, account.code_version),
        valid_until=timezone.localtime(until),
    )


@router.post(
    "/redemptions",
    response={200: MoralRedeemOut, 201: MoralRedeemOut},
    summary="兑换点兑换积分（按 key 幂等：重复提交返回第一次的结果）",
)
def redeem(request: HttpRequest, payload: MoralRedeemIn):
    outlet = selectors.get_my_outlet(scope_of(request), payload.outlet_id)
    r = act(request, services.redeem_points, outlet, **payload.dict(exclude={"outlet_id"}))
    body = MoralRedeemOut(
        transaction=MoralTxnOut.from_orm(r.txn), created=r.created, balance=r.balance
    )
    return Status(201 if r.created else 200, body)


@router.get(
    "/models",
    response=list[MoralModelOut],
    summary="道德模范与身边好人",
    openapi_extra=filter_doc(HonourFilter),
)
@paginate(Paged)
def list_models(request: HttpRequest):
    qs = selectors.honours_for_user(scope_of(request))
    return filtered(HonourFilter, request, qs).order_by("-year", "-id")


@router.get(
    "/selections",
    response=list[SelectionOut],
    summary="文明创建评选",
    openapi_extra=filter_doc(SelectionFilter),
)
@paginate(Paged)
def list_selections(request: HttpRequest):
    qs = selectors.selections_for_user(scope_of(request))
    return filtered(SelectionFilter, request, qs).order_by("-year", "-id")


@router.get(
    "/selections/proposals", response=list[SelectionProposalOut], summary="撤销建议（动态管理）"
)
@paginate(Paged)
def list_proposals(request: HttpRequest):
    return selectors.proposals_for_user(scope_of(request))

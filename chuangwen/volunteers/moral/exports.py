"""Excel of a bank's monthly statement (the same rows as the statement page)."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from chuangwen.core.xlsx import Sheet, write_workbook

from ..models import MoralBank
from .selectors import StatementRow

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = ["账号", "持有人", "期初余额", "本月获得", "本月扣减", "本月兑换", "期末余额"]


def statement_workbook(bank: MoralBank, month: dt.date, rows: Iterable[StatementRow]) -> bytes:
    data: list[list[Any]] = [
        [r.account.number, r.account.holder_name, r.opening, r.earned, r.deducted, r.redeemed,
         r.closing]
        for r in rows
    ]  # fmt: skip
    totals = ["合计", "", *(sum(row[i] for row in data) for i in range(2, 7))]
    return write_workbook([Sheet(title=f"{month:%Y-%m}", headers=HEADERS, rows=[*data, totals])])


def statement_filename(bank: MoralBank, month: dt.date) -> str:
    return f"{bank.name}-积分月结单-{month:%Y-%m}.xlsx"

"""The expense ledger of a case as JSON, and its claim statement for the SI agency (CSV and PDF)."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, overload
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from domain.compensation.expenses import (
    KIND_ZH,
    Bill,
    BillResult,
    HospitalStay,
    Reconciliation,
    ReviewItem,
    reconcile,
)
from domain.injury.views import CaseView
from domain.shared.calendar import local
from domain.shared.company import Company
from domain.shared.wording import ZH
from render import kit
from store.models import ExpenseRow

LABELS = {
    "recognised": "RECOGNISED: the injury is recognised as a work injury; these amounts are owed now "
                  "(先行支付暂行办法 art. 5; SIL art. 30 ¶1)",
    "provisional": "PENDING RECOGNITION: no determination yet. The figures show what would be owed "
                   "if the injury is recognised; nothing is owed and nothing may be claimed until then",
    "not_recognised": "NOT RECOGNISED: the injury fund owes nothing and the medical-insurance "
                      "settlement stands (SIL art. 30 ¶1); this changes only if the decision is set "
                      "aside on review or appeal",
}
BASIS_ZH = {"recognised": "已认定工伤", "provisional": "尚未认定（预估，待认定后方可申领）",
            "not_recognised": "不予认定工伤（基金不予支付）"}
NOTES_ZH = {
    "recognised": "已认定为工伤，下列金额现应支付（《社会保险基金先行支付暂行办法》第五条；"
                  "《中华人民共和国社会保险法》第三十条第一款）。",
    "provisional": "尚未作出工伤认定。下列金额为认定为工伤后应支付的预估数，认定前不得申领。",
    "not_recognised": "不予认定为工伤：工伤保险基金不予支付，医保结算维持不变（《中华人民共和国社会保险法》"
                      "第三十条第一款）；认定决定经复议或诉讼被撤销的除外。",
}
PAID_BY_ZH = {"medical_insurance_card": "医保卡结算", "employee": "职工垫付", "employer": "单位垫付"}
COLUMNS = ("entry_id", "invoice_number", "hospital", "bill_date", "amount", "eligible_amount",
           "paid_by", "medical_insurance_amount", "slip_total", "third_party_amount", "art5_case",
           "medical_insurance_recovery", "refund", "refund_to", "injury_fund_owes", "employer_owes",
           "outside_catalogue", "article", "file_sha256", "basis", "kind", "admitted_on",
           "discharged_on", "stay_days", "daily_standard", "standard_source", "approval_reference")
_MONEY = ("medical_insurance_recovery", "refund_to_employee", "refund_to_employer", "injury_fund_owes",
          "employer_owes", "outside_catalogue")


@dataclass(frozen=True)
class Ledger:
    view: CaseView
    rows: tuple[ExpenseRow, ...]
    basis: str                    # recognised | provisional | not_recognised
    result: Reconciliation


def to_bill(row: ExpenseRow) -> Bill:
    """The stored row as the domain's bill; an unknown eligible amount counts as the whole amount."""
    return Bill(entry_id=row.id, invoice_number=row.invoice_number, hospital=row.hospital,
                date=row.bill_date, amount=row.amount,
                eligible_amount=row.amount if row.eligible_amount is None else row.eligible_amount,
                paid_by=row.paid_by,  # type: ignore[arg-type]  # checked on entry
                medical_insurance_amount=row.medical_insurance_amount, slip_total=row.slip_total,
                third_party_amount=row.third_party_amount, file_hash=row.file_sha256,
                kind=row.kind,  # type: ignore[arg-type]  # checked on entry
                stay=_stay(row), approval_reference=row.approval_reference or "")


def _stay(row: ExpenseRow) -> HospitalStay | None:
    if row.admitted_on is None or row.discharged_on is None or row.daily_standard is None:
        return None
    return HospitalStay(row.admitted_on, row.discharged_on, row.daily_standard,
                        row.standard_source or "")


def build(view: CaseView, rows: list[ExpenseRow]) -> Ledger:
    """Reconcile as the determination stands; pending recognition, as if recognised (labelled)."""
    recognised = view.determination.recognised if view.determination else None
    basis = {True: "recognised", False: "not_recognised", None: "provisional"}[recognised]
    result = reconcile([to_bill(r) for r in rows], recognised=recognised is not False,
                       si_enrolled=view.si_enrolled)
    return Ledger(view, tuple(rows), basis, result)


def entry_json(row: ExpenseRow) -> dict[str, Any]:
    """One stored bill as JSON: money as strings in yuan."""
    data = row.model_dump(mode="json", exclude={"invoice_key", "hospital_key"})
    for name in ("amount", "eligible_amount", "medical_insurance_amount", "slip_total",
                 "third_party_amount", "daily_standard"):
        data[name] = _money(getattr(row, name))
    data["eligible_assumed"] = row.eligible_amount is None
    data["kind_zh"] = KIND_ZH.get(row.kind, row.kind)
    stay = _stay(row)
    data["stay_days"] = stay.days if stay else None
    return data


def ledger_json(ledger: Ledger) -> dict[str, Any]:
    """The ledger: each bill with its reconciliation, totals, the open review items, the basis."""
    d = ledger.view.determination
    results = {r.entry_id: r for r in ledger.result.bills}
    assumed = sum(1 for r in ledger.rows if r.eligible_amount is None)
    notes = [f"{assumed} bill(s) without eligible_amount: the whole amount is taken as within the "
             "injury catalogues until the agency's review says otherwise"] if assumed else []
    return {
        "case_id": ledger.view.id, "si_enrolled": ledger.view.si_enrolled,
        "determination": {"recognised": d.recognised if d else None,
                          "decided_on": d.decided_on.isoformat() if d and d.decided_on else None,
                          "reference": d.decision_reference if d else ""},
        "basis": ledger.basis, "label": LABELS[ledger.basis],
        "entries": [{**entry_json(row), "reconciliation": _result_json(results[row.id])}
                    for row in ledger.rows],
        "totals": totals_json(ledger),
        "review_items": [asdict(i) for i in ledger.result.review_items],
        "notes": notes,
    }


def totals_json(ledger: Ledger) -> dict[str, str]:
    t = ledger.result.totals
    return {"bills": str(len(ledger.rows)),
            "amount": _money(sum((r.amount for r in ledger.rows), Decimal("0.00"))),
            **{name: _money(getattr(t, name)) for name in _MONEY}}


def claim_csv(ledger: Ledger) -> bytes:
    """One row per bill under a header row, then a TOTAL row; UTF-8 with a BOM so Excel reads it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    results = {r.entry_id: r for r in ledger.result.bills}
    for row in ledger.rows:
        writer.writerow([_cell(v) for v in _line(row, results[row.id], ledger.basis)])
    t = totals_json(ledger)
    writer.writerow(["TOTAL", "", "", "", t["amount"], "", "", "", "", "", "",
                     t["medical_insurance_recovery"],
                     _money(Decimal(t["refund_to_employee"]) + Decimal(t["refund_to_employer"])), "",
                     t["injury_fund_owes"], t["employer_owes"], t["outside_catalogue"], "", "",
                     ledger.basis, "", "", "", "", "", "", ""])
    return out.getvalue().encode("utf-8-sig")


def claim_pdf(ledger: Ledger, font: Path, generated_by: str, generated_at: datetime,
              company: Company | None = None) -> bytes:
    """The claim statement in Chinese for the SI agency (ReportLab, the CJK font, the render lock)."""
    return kit.build(_story(ledger, font, generated_by, generated_at, company or Company()),
                 f"工伤医疗费用申领明细表 {ledger.view.id}", pagesize=landscape(A4), margin=12 * mm)


def _story(ledger: Ledger, font: Path, generated_by: str, generated_at: datetime,
           company: Company) -> list[Any]:
    v, s = ledger.view, kit.styles(font, title=(15, 21), heading=(11, 16, 8))
    t = totals_json(ledger)
    results = {r.entry_id: r for r in ledger.result.bills}
    by_id = {r.id: r for r in ledger.rows}
    bills = [["项目", "发票号码", "医院", "日期", "金额", "支付方式", "医保已付", "应返还医保", "退还",
              "工伤基金支付", "单位支付", "目录外"]] + [
        [KIND_ZH.get(r.kind, r.kind), r.invoice_number, r.hospital, _when_zh(r), _money(r.amount),
         PAID_BY_ZH.get(r.paid_by, r.paid_by), _money(r.medical_insurance_amount),
         _money(x.medical_insurance_recovery), _refund_zh(x), _money(x.injury_fund_owes),
         _money(x.employer_owes), _money(x.outside_catalogue)]
        for r, x in ((r, results[r.id]) for r in ledger.rows)]
    return [
        Paragraph("工伤医疗费用申领明细表（医保先行支付 / 工伤报销）", s["title"]),
        Paragraph(escape(f"用人单位：{company.name or '____________'}；统一社会信用代码："
                         f"{company.uscc or '____________'}；地址：{company.address or '—'}；"
                         f"联系人：{company.contact or '—'}"), s["body"]),
        Paragraph(f"案件 {escape(v.id)}；职工 {escape(v.employee_name)}（工号 {escape(v.employee_id)}）；"
                  f"参保地 {escape(ZH.region(v.region))}；事故时间 {local(v.accident_at)}；工伤保险："
                  f"{'已参保' if v.si_enrolled else '未参保（单位承担，基金可先行支付后追偿）'}", s["body"]),
        Paragraph(f"认定状态：{BASIS_ZH[ledger.basis]}。{escape(NOTES_ZH[ledger.basis])}", s["body"]),
        Spacer(1, 4 * mm),
        kit.table(bills if ledger.rows else [["—"]], s, header=bool(ledger.rows)),
        Spacer(1, 4 * mm),
        kit.table([["合计", "金额"], ["票据张数", t["bills"]], ["票据金额", t["amount"]],
                ["应返还医保基金", t["medical_insurance_recovery"]],
                ["退还职工", t["refund_to_employee"]], ["退还单位", t["refund_to_employer"]],
                ["工伤基金应付", t["injury_fund_owes"]], ["单位应付", t["employer_owes"]],
                ["工伤目录外（基金不予支付）", t["outside_catalogue"]]], s, header=True),
        Paragraph("待人事复核事项", s["h"]),
        kit.table([["发票号码", "事项"]] + [[i.invoice_number, _review_zh(i, by_id.get(i.entry_id))]
                                   for i in ledger.result.review_items]
               if ledger.result.review_items else [["无"]], s, header=bool(ledger.result.review_items)),
        Spacer(1, 4 * mm),
        *_fund_item_notes(ledger, s),
        Paragraph("依据：《中华人民共和国社会保险法》第三十条、第三十八条、第四十一条、第四十二条；"
                  "《工伤保险条例》第三十条；《社会保险基金先行支付暂行办法》第五条。"
                  f"生成人 {escape(ZH.actor(generated_by))}，生成时间 {local(generated_at)}（北京时间）。",
                  s["small"]),
        Spacer(1, 8 * mm),
        Paragraph(escape(f"申领单位（盖章）：{company.name or '________________'}　　　"
                         "经办人签字：________________　　　日期：　　　　年　　月　　日"), s["body"]),
    ]


def _when_zh(row: ExpenseRow) -> str:
    stay = _stay(row)
    if stay is None:
        return row.bill_date.isoformat()
    return f"{stay.admitted_on} 至 {stay.discharged_on}（{stay.days}天）"


def _fund_item_notes(ledger: Ledger, s: dict[str, Any]) -> list[Any]:
    """How each food allowance was counted and each travel cost's consent, for the agency's reader."""
    lines = []
    for row in ledger.rows:
        stay = _stay(row)
        if stay is not None:
            lines.append(f"住院伙食补助费（住院号 {row.invoice_number}，{row.hospital}）：住院 {stay.days} 天"
                         f" × {_money(stay.daily_standard)} 元/天 = {_money(row.amount)} 元；标准依据："
                         f"{stay.standard_source}")
        elif row.kind == "travel":
            consent = f"经办机构同意：{row.approval_reference}" if row.approval_reference else \
                "尚未取得经办机构同意，暂不计入基金支付"
            lines.append(f"统筹地区以外就医交通食宿费（票据 {row.invoice_number}，{row.hospital}）："
                         f"{consent}")
    if not lines:
        return []
    return [Paragraph("伙食补助与异地就医费用的计算（《工伤保险条例》第三十条第四款）", s["h"]),
            *(Paragraph(escape(line), s["body"]) for line in lines)]


def _line(row: ExpenseRow, x: BillResult, basis: str) -> list[Any]:
    return [row.id, row.invoice_number, row.hospital, row.bill_date.isoformat(), row.amount,
            row.eligible_amount if row.eligible_amount is not None else row.amount, row.paid_by,
            row.medical_insurance_amount, row.slip_total, row.third_party_amount, x.case,
            x.medical_insurance_recovery, x.refund, x.refund_to, x.injury_fund_owes, x.employer_owes,
            x.outside_catalogue, x.article, row.file_sha256, basis, row.kind, row.admitted_on,
            row.discharged_on, stay.days if (stay := _stay(row)) else None, row.daily_standard,
            row.standard_source, row.approval_reference]


def _result_json(x: BillResult) -> dict[str, Any]:
    data = asdict(x)
    for name in ("medical_insurance_recovery", "refund", "injury_fund_owes", "employer_owes",
                 "outside_catalogue"):
        data[name] = _money(data[name])
    data.pop("entry_id")
    return data


def _refund_zh(x: BillResult) -> str:
    who = {"employee": "职工", "employer": "单位"}.get(x.refund_to or "", "")
    return f"{_money(x.refund)} {who}".strip()


@overload
def _money(value: Decimal) -> str: ...
@overload
def _money(value: None) -> None: ...
def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = _money(value) if isinstance(value, Decimal) else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text  # no formulas in Excel



def _review_zh(item: ReviewItem, row: ExpenseRow | None) -> str:
    """A review item in Chinese with its figures; an unknown one keeps its code for HR."""
    if row is not None and item.code == "expense.slip_mismatch":
        return (f"票据金额 {_money(row.amount)} 元与医保结算单合计 {_money(row.slip_total)} 元"
                "不一致，申领前请核对")
    if item.code == "expense.travel_unapproved":
        return ("统筹地区以外就医须有医疗机构证明并经经办机构同意（《工伤保险条例》第三十条第四款），"
                "请记录同意文号；在此之前不计入")
    if row is not None and item.code == "expense.insurance_above_eligible":
        eligible = row.amount if row.eligible_amount is None else row.eligible_amount
        return (f"医保已付 {_money(row.medical_insurance_amount)} 元，高于工伤目录内金额"
                f"（{_money(eligible - row.third_party_amount)} 元），请确认经办机构应退还的数额")
    return f"待核对事项（{item.code}）"

"""Negotiation support (协商): 法定金额, 企业应承担 and 协商区间, each bound derived from a rule.

- 法定金额 (statutory amount): every one-time work-injury benefit at the statutory standard, never
  reduced by a traffic-liability split (Reg. art. 14(6): a commuting accident where the worker is
  not mainly liable is a work injury; the benefits follow Reg. arts. 30-39), plus the medical costs
  the fund still pays after what a third party paid (最高法工伤保险行政案件规定 art. 8 ¶3).
- 企业应承担 (employer's share): the items the statute puts on the employer (suspension wages,
  Reg. art. 33; employment subsidy, Reg. arts. 36-37); not enrolled, every item (Reg. art. 62 ¶2;
  SIL art. 41).
- 协商区间 low: the employer's share. It cannot be negotiated away: a settlement below the statutory
  items can be set aside for 重大误解 or 显失公平 (民法典 arts. 147, 151; e.g. (2019)粤民再353号).
- 协商区间 high: low + what an arbitration could add from rules: the termination subsidies the worker
  can trigger by resigning (Reg. arts. 36 ¶2, 37(2); the provincial table) and, not enrolled, the
  economic compensation for resigning because SI was not paid (LCL arts. 38(3), 46(1), 47).
  It leaves out the civil claim (the compulsory insurer's part, RTSL art. 76 ¶1, plus the third
  party's share of the rest): the worker claims it from them, not from the employer.
Monthly items continue on top and are not capitalised. Labour arbitration is free of charge
(Labour Dispute Mediation and Arbitration Law art. 53), so no costs are added. Economic compensation
left unpaid after the labour administration orders it paid adds 50 %–100 % (LCL art. 85(4)): shown
as a warning with both amounts, outside the range, since it needs that order first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from domain.compensation.data import CompensationTables
from domain.compensation.items import Item, fen, money
from domain.compensation.payloads import EstimateRequest, NegotiationRange, Reason, Totals, WageBasis
from domain.compensation.third_party import civil_claim, worker_mainly_liable
from domain.shared.errors import RuleViolation

LABEL = ("协商区间由法定规则推出，每个边界附依据；不是法定金额 / the range is derived from rules, each bound "
         "with its basis; it is not an amount the law fixes")
SETTLEMENT_RISK = ("民法典 arts. 147, 151 (重大误解, 显失公平); (2019)粤民再353号 "
                   "(http://dg148.net/html/4194.html)")
ECONOMIC_COMPENSATION = "LCL arts. 38(3), 46(1), 47"
LCL_SOURCE = "劳动合同法 read from LawRefBook/Laws 社会法/劳动合同法.md @3cd6e86b"
LCL_YEARS_CAP, LCL_WAGE_CAP = 12, 3
UNPAID_ADDITION = (Decimal("0.5"), Decimal("1"))  # LCL art. 85: 百分之五十以上百分之一百以下
UNIFIED_FROM = date(2022, 5, 1)
UNIFIED_BASIS = ("最高法关于修改人身损害赔偿解释的决定 (法释〔2022〕14号) art. 24 as amended; "
                 "http://crsrw.com/falvyuanzhu/124160.html ; http://fzzdjz.com/article/91366.html")


def negotiation(req: EstimateRequest, statutory: Sequence[Item], once: Totals, wage: WageBasis,
                tables: CompensationTables) -> NegotiationRange:
    """The three answers and the range from the statutory items (before the not-enrolled shift)."""
    reasons: list[Reason] = []
    unverified: list[str] = []
    employer_own = _sum(i for i in statutory if i.frequency == "once" and i.payer == "employer")
    fund_items = _sum(i for i in statutory if i.frequency == "once" and i.payer == "fund")
    claim = req.third_party
    civil = (civil_claim(claim, req.grade, req.death, accident_date=req.injury_date)
             if claim is not None else None)
    medical = civil.fund_medical if civil is not None else Decimal("0.00")
    if req.si_enrolled:
        employer, fund = employer_own, fund_items + medical
        who, who_en = "工伤保险基金支付其余项目", "the fund pays the rest"
    else:
        employer, fund = employer_own + fund_items + medical, Decimal("0.00")
        who, who_en = ("未参保：基金项目也由单位按同一标准支付",
                       "not enrolled: the employer pays the fund's items too")
    statutory_amount = once.total + medical
    reasons.append(Reason(
        "statutory", f"法定金额 {money(statutory_amount)}：一次性工伤待遇按法定标准全额计算"
        f"{f'（含基金应付医疗费余额 {money(medical)}）' if medical else ''}，不因交通事故责任划分而减少。",
        f"statutory amount {money(statutory_amount)}: every one-time benefit at the statutory standard"
        f"{f' (with the medical costs the fund still pays, {money(medical)})' if medical else ''}, not "
        "reduced by the traffic-liability split", "Reg. arts. 14(6), 30-39", statutory_amount))
    reasons.append(Reason(
        "employer", f"企业应承担 {money(employer)}；{who}。",
        f"employer's share {money(employer)} (what the statute puts on the employer); {who_en}",
        "Reg. arts. 33, 36-37, 62 ¶2; SIL arts. 39, 41", employer))
    reasons.append(Reason(
        "low", f"下限 {money(employer)}：单位的法定义务，不能协商免除；"
        "低于法定标准的协议可因重大误解或显失公平被撤销。",
        f"low {money(employer)}: the employer's legal exposure; an agreement below it can be set aside",
        SETTLEMENT_RISK, employer))
    high = employer
    economic = _economic_compensation(req, wage)
    for reason in (_termination_risk(req, statutory, wage, tables, unverified), economic):
        if reason is not None:
            reasons.append(reason)
            high += reason.amount or 0
    if economic is not None and economic.amount:
        reasons.append(_unpaid_after_order(economic.amount))
    monthly = _sum(i for i in statutory if i.frequency == "monthly")
    monthly_employer = monthly if not req.si_enrolled else _sum(
        i for i in statutory if i.frequency == "monthly" and i.payer == "employer")
    ongoing = (f"；按月项目每月 {money(monthly)}（其中单位 {money(monthly_employer)}）另行支付，未折算"
               if monthly else "")
    ongoing_en = (f"; the monthly items ({money(monthly)} a month, the employer's "
                  f"{money(monthly_employer)}) continue on top and are not capitalised" if monthly else "")
    civil_words = (f"；不含职工向交强险和第三人主张的民事赔偿 {money(civil.total)}"
                   if civil is not None else "")
    civil_en = (f"; it leaves out the civil claim of {money(civil.total)} against the compulsory insurer "
                "and the third party" if civil is not None else "")
    reasons.append(Reason(
        "high", f"上限 {money(high)}：仲裁可能裁决的金额（下限加上述风险项）{ongoing}{civil_words}。",
        f"high {money(high)}: what an arbitration could award (low plus the risks above){ongoing_en}"
        f"{civil_en}",
        "sum of the bounds above; arbitration is free of charge (劳动争议调解仲裁法 art. 53)", high))
    if civil is not None and claim is not None:
        pct = _pct(claim.liability_share)
        reasons.append(Reason(
            "third_party", f"民事赔偿 {money(civil.total)} = 交强险先赔 {money(civil.insurer)} + "
            f"第三人按责任 {pct} 承担余额 {money(civil.claim)}：由职工主张，不减少工伤待遇，"
            "也不计入企业应承担。",
            f"civil claim {money(civil.total)} = the compulsory insurer first {money(civil.insurer)} + the "
            f"third party's {pct} of the rest {money(civil.claim)}: claimed by the worker; it neither "
            "reduces the benefits nor the employer's share",
            "道路交通安全法 art. 76 ¶1; 最高法人身损害赔偿解释 (2022) arts. 6-9, 12, 15", civil.total))
        if civil.compulsory_verified is False:
            unverified.append(f"交强险责任限额 / compulsory insurance limits: {civil.compulsory_source}")
        if not civil.coefficient_verified and not req.death:
            unverified.append(f"伤残赔偿指数 / disability coefficient: {civil.coefficient_source}")
        if req.injury_date < UNIFIED_FROM:
            reasons.append(Reason(
                "warning", f"事故早于 {UNIFIED_FROM}：统一城乡标准的 2022 年修改只适用于施行后的侵权行为，"
                "农村居民按原规定可适用农村居民人均纯收入，请按适用标准填写收入。",
                f"accident before {UNIFIED_FROM}: the 2022 unified urban standard applies to torts after "
                "it; a rural resident's claim may use the rural figure: give the applicable income",
                UNIFIED_BASIS))
        if worker_mainly_liable(claim):
            reasons.append(Reason(
                "warning", "职工负主要以上责任：上下班途中交通事故不认定为工伤。",
                "the worker is mainly liable: a commuting accident is then not a work injury",
                "Reg. art. 14(6)"))
    if req.offer is not None:
        reasons.append(_place_offer(fen(req.offer), employer, high, statutory_amount))
    basis = " · ".join(r.zh for r in reasons if r.topic in ("low", "high"))
    return NegotiationRange(low=employer, high=high, label=LABEL, basis=basis,
                            statutory_amount=statutory_amount, employer_share=employer,
                            fund_share=fund, reasons=tuple(reasons), third_party=civil,
                            offer=fen(req.offer) if req.offer is not None else None,
                            unverified=tuple(unverified))


def _termination_risk(req: EstimateRequest, statutory: Sequence[Item], wage: WageBasis,
                      tables: CompensationTables, unverified: list[str]) -> Reason | None:
    """Grades 5-10 still employed: the worker may resign and claim the subsidies (Reg. 36-37)."""
    grade = req.grade
    if req.death or grade is None or grade < 5 or any(i.code == "one_time_employment_subsidy"
                                                      for i in statutory):
        return None
    try:
        table = tables.subsidy_table(req.region, req.injury_date)
    except RuleViolation as missing:
        return Reason("risk", f"未计入：职工辞职后的一次性伤残就业补助金（{missing.message}）。",
                      f"not counted: the employment subsidy on resignation ({missing.message})",
                      "Reg. arts. 36-37", Decimal("0.00"))
    if table.base == "provincial_average":
        return Reason("risk", "未计入：就业补助金以解除时全省上年平均工资为基数，请填写劳动合同到期日。",
                      "not counted: the subsidy's base is the provincial average when employment "
                      "ends; pass contract_ends", table.article, Decimal("0.00"))
    base = wage.basis if table.base == "own_wage" else wage.regional_average
    months = table.employment_months[grade] + (0 if req.si_enrolled else table.medical_months[grade])
    what = "一次性伤残就业补助金" + ("" if req.si_enrolled else "及一次性工伤医疗补助金")
    if not table.verified:
        unverified.append(f"{table.region} termination subsidies: {table.source}")
    amount = fen(base * months)
    return Reason("risk", f"风险：职工本人提出解除劳动合同即可主张{what} {months} 个月 × {money(base)} = "
                  f"{money(amount)}。", f"risk: by resigning the worker can claim the termination "
                  f"subsidies {months} months × {money(base)} = {money(amount)}",
                  f"Reg. arts. 36 ¶2, 37(2); {table.article}", amount)


def _economic_compensation(req: EstimateRequest, wage: WageBasis) -> Reason | None:
    """Not enrolled: resigning for unpaid SI earns a month's wage per year of service (LCL 46-47)."""
    if req.si_enrolled or req.death or req.service_months is None:
        return None
    if req.service_months < 0:
        raise RuleViolation("service_months", "compensation.service_months", "service_months must be >= 0")
    years, rest = divmod(req.service_months, 12)
    months = Decimal(years) + (1 if rest >= 6 else Decimal("0.5") if rest else 0)
    cap = fen(wage.regional_average * LCL_WAGE_CAP)
    base = wage.own_average
    if base > cap:
        base, months = cap, min(months, Decimal(LCL_YEARS_CAP))
    amount = fen(base * months)
    capped = (f"（月工资高于 3 × 统筹地区平均工资 {money(cap)}，按封顶且不超过 12 年；"
              "LCL art. 47 以设区的市公布的平均工资为准，请核对）" if base == cap else "")
    return Reason("risk", f"风险：未缴社保，职工可解除合同并要求经济补偿 {months:f} 个月 × {money(base)} = "
                  f"{money(amount)}{capped}。", f"risk: SI not paid, the worker may resign and claim "
                  f"economic compensation {months:f} months × {money(base)} = {money(amount)}"
                  f"{' (capped at 3 × the regional average and 12 years)' if capped else ''}",
                  f"{ECONOMIC_COMPENSATION} ({LCL_SOURCE})", amount)


def _unpaid_after_order(compensation: Decimal) -> Reason:
    """LCL art. 85(4): economic compensation not paid by the time the labour administration set
    adds 50 %–100 % of it. It needs that order first, so it is a warning beside the range, not a
    part of its high bound."""
    low, high = fen(compensation * UNPAID_ADDITION[0]), fen(compensation * UNPAID_ADDITION[1])
    return Reason(
        "warning", f"另：经济补偿 {money(compensation)} 未依法支付，经劳动行政部门责令限期支付后逾期"
        f"仍不支付的，还须按应付金额 50%–100% 加付赔偿金 {money(low)}–{money(high)}；以行政责令为前提，"
        "不计入上限。",
        f"also: economic compensation of {money(compensation)} left unpaid past the time limit the "
        f"labour administration orders adds 50–100 % of it ({money(low)}–{money(high)}); it needs "
        "that order first, so it is not in the high bound",
        f"LCL art. 85(4) ({LCL_SOURCE})")


def _place_offer(offer: Decimal, low: Decimal, high: Decimal, statutory: Decimal) -> Reason:
    if offer < low:
        zh = (f"单位报价 {money(offer)} 低于下限 {money(low)}（差 {money(low - offer)}）："
              "按此签订的协议有被撤销的风险。")
        en = (f"offer {money(offer)} is below the low bound by {money(low - offer)}: such an "
              "agreement may be set aside")
    elif offer > high:
        zh = (f"单位报价 {money(offer)} 高于上限 {money(high)}（多 {money(offer - high)}）："
              f"若报价包含基金项目，应在协议中写明各项金额；法定金额合计 {money(statutory)}。")
        en = (f"offer {money(offer)} is above the high bound by {money(offer - high)}: if it includes the "
              f"fund's items, name each item in the agreement; the statutory amount is {money(statutory)}")
    else:
        zh = f"单位报价 {money(offer)} 在协商区间 {money(low)}–{money(high)} 之内。"
        en = f"offer {money(offer)} is within the range {money(low)}–{money(high)}"
    return Reason("offer", zh, en, SETTLEMENT_RISK, offer)


def _sum(items: Iterable[Item]) -> Decimal:
    return sum((i.amount for i in items), Decimal("0.00"))


def _pct(share: Decimal) -> str:
    return f"{(share * 100).normalize():f} %"

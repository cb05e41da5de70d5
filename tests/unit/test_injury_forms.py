"""The filled-in 工伤认定申请表 from the case data (Regs. art. 18 ¶2)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.injury.forms import ApplicationForm, application_form
from domain.injury.materials import checklist_for
from domain.injury.payloads import CaseInput, CaseTiming, Witness
from tests.factories import employee

GENERATED_AT = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)  # 2026-11-25 01:30 in Beijing
MALE_ID = "110105198001010016"  # born 1980-01-01, 17th digit odd


def case_input(case_id: str = "C1001", **overrides: Any) -> CaseInput:
    """A Beijing case: 张三 (ID 11010519491231002X) cut his hand at 09:30 Beijing time."""
    checklist = checklist_for("beijing", traffic_accident=False, has_witnesses=True)
    values: dict[str, Any] = {
        "case_id": case_id, "employee": employee(), "region": "beijing",
        "accident_at": datetime(2026, 11, 23, 1, 30, tzinfo=UTC),
        "location": "一号车间冲压线", "description": "操作冲床时右手被模具夹伤，\n班组长立即送医。",
        "injury": "右手食指开放性骨折", "witnesses": (Witness("李四", "13900000001"), Witness("王五")),
        "si_enrolled": True, "reported_at": datetime(2026, 11, 23, 2, 0, tzinfo=UTC),
        "created_by": "hr-alice", "materials": checklist.items, "materials_source": checklist.source,
        "timing": CaseTiming(materials_sla=timedelta(hours=24), determination_reminder_days=(7, 3, 1),
                             return_notice_lead=timedelta(days=3), notice_response=timedelta(days=3),
                             settlement_target_days=30, reminder_lead=timedelta(days=2),
                             chase_interval=timedelta(days=1)),
        "company": "北京示例制造有限公司",
    }
    values.update(overrides)
    return CaseInput(**values)


def test_the_form_has_the_rows_of_the_printed_form_in_order():
    form = application_form(case_input(), GENERATED_AT)
    assert form.title == "工伤认定申请表"
    assert [label for label, _ in form.rows] == [
        "职工姓名", "性别", "出生日期", "身份证号码", "联系电话", "用人单位", "部门", "事故时间", "事故地点",
        "事故经过", "受伤部位及伤害程度", "证人", "是否参加工伤保险", "申请人", "申请日期"]


def test_values_come_from_the_case_and_the_resident_id():
    form = application_form(case_input(), GENERATED_AT)
    assert form.value("职工姓名") == "张三"
    assert form.value("性别") == "女"                      # 17th digit 2: even
    assert form.value("出生日期") == "1949年12月31日"
    assert form.value("身份证号码") == "11010519491231002X"
    assert form.value("联系电话") == "13800138000"
    assert form.value("用人单位") == form.value("申请人") == "北京示例制造有限公司"
    assert form.value("部门") == "生产部"
    assert form.value("事故时间") == "2026年11月23日 09:30（北京时间）"
    assert form.value("事故地点") == "一号车间冲压线"
    assert form.value("受伤部位及伤害程度") == "右手食指开放性骨折"
    assert form.value("证人") == "李四、王五"
    assert form.value("是否参加工伤保险") == "是"


def test_the_application_date_is_the_beijing_date_of_generation():
    assert application_form(case_input(), GENERATED_AT).value("申请日期") == "2026年11月25日"


def test_a_male_employee_and_a_case_without_witnesses_or_insurance():
    case = case_input(employee=employee(id_number=MALE_ID), witnesses=(), si_enrolled=False)
    form = application_form(case, GENERATED_AT)
    assert (form.value("性别"), form.value("出生日期")) == ("男", "1980年01月01日")
    assert form.value("证人") == "无"
    assert form.value("是否参加工伤保险") == "否"


def test_an_id_that_does_not_parse_leaves_sex_and_birth_date_blank():
    case = case_input(employee=replace(employee(), id_number="E12345678"))
    form = application_form(case, GENERATED_AT)
    assert (form.value("性别"), form.value("出生日期"), form.value("身份证号码")) == ("—", "—", "E12345678")


def test_empty_fields_print_a_dash():
    form = application_form(case_input(company="", location="  "), GENERATED_AT)
    assert form.value("用人单位") == form.value("申请人") == form.value("事故地点") == "—"


def test_the_text_rendering_lists_every_row_and_the_basis():
    form = application_form(case_input(), GENERATED_AT)
    text = form.text()
    assert text.startswith("工伤认定申请表\n")
    assert "职工姓名：张三\n" in text
    assert "事故经过：操作冲床时右手被模具夹伤，\n班组长立即送医。\n" in text
    assert text.rstrip().endswith("依据：《工伤保险条例》第十八条")


def test_the_form_is_a_frozen_value():
    form = application_form(case_input(), GENERATED_AT)
    assert form == application_form(case_input(), GENERATED_AT)
    assert isinstance(form, ApplicationForm) and hash(form)

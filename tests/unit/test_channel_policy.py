"""The channel policy's pure rules: quiet hours and an SMS paired with the message carrying its
link (domain.notices.rules)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain.notices.rules import LINK_CHANNELS, holds_for_quiet, quiet_until, send_steps
from domain.shared.calendar import SHANGHAI

CHANNELS = ("sms", "email", "wecom", "dingtalk", "outbox")


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 2, hour, minute, tzinfo=SHANGHAI)


def test_quiet_hours_end_at_eight_the_next_morning() -> None:
    assert quiet_until(at(21, 59)) is None and quiet_until(at(8)) is None
    assert quiet_until(at(22)) == datetime(2026, 12, 3, 8, tzinfo=SHANGHAI)
    assert quiet_until(at(3, 30)) == datetime(2026, 12, 2, 8, tzinfo=SHANGHAI)


@given(st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2028, 1, 1),
                    timezones=st.just(UTC)))
def test_a_quiet_moment_waits_less_than_ten_hours_until_eight(moment: datetime) -> None:
    until = quiet_until(moment)
    local = moment.astimezone(SHANGHAI)
    if until is None:
        assert 8 <= local.hour < 22
    else:
        assert timedelta(0) < until - moment <= timedelta(hours=10)
        assert until.astimezone(SHANGHAI).hour == 8


def test_only_sms_and_calls_to_action_wait() -> None:
    assert holds_for_quiet("sms", requires_answer=False)
    assert not holds_for_quiet("email", requires_answer=False)
    assert holds_for_quiet("wecom", requires_answer=True)
    assert not holds_for_quiet("outbox", requires_answer=True)


def test_an_sms_goes_with_the_message_that_carries_its_link_that_one_first() -> None:
    assert send_steps(("sms", "email"), pair_link=True) == (("email", "sms"),)
    assert send_steps(("dingtalk", "sms", "email"), pair_link=True) == \
        (("dingtalk",), ("email", "sms"))
    assert send_steps(("sms",), pair_link=True) == (("sms",),)
    assert send_steps(("sms", "email"), pair_link=False) == (("sms",), ("email",))


@given(st.lists(st.sampled_from(CHANNELS), unique=True), st.booleans())
def test_every_channel_is_sent_once_and_no_sms_before_its_link(channels: list[str],
                                                                pair: bool) -> None:
    steps = send_steps(channels, pair)  # type: ignore[arg-type]
    flat = [c for step in steps for c in step]
    assert sorted(flat) == sorted(channels)
    for step in steps:
        if len(step) == 2:
            assert step[1] == "sms" and step[0] in LINK_CHANNELS

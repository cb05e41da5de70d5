"""The channel policy in the Notice workflow (time-skipping server): quiet hours, urgent notices,
and an SMS sent in one step with the message carrying its link."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from domain.notices.payloads import NoticeOutcome
from domain.shared.calendar import SHANGHAI
from tests.workflows.test_notice_workflow import NoticeHarness, outcome
from tests.workflows.test_notice_workflow import nh as nh  # the fixture, shared


async def to_next(nh: NoticeHarness, hour: int) -> datetime:
    """Skip the server's clock to the next `hour`:00 Beijing time."""
    now = (await nh.env.get_current_time()).astimezone(SHANGHAI)
    target = datetime.combine(now.date(), time(hour), tzinfo=SHANGHAI)
    if target <= now:
        target += timedelta(days=1)
    await nh.env.sleep(target - now)
    return target


async def test_an_sms_at_night_waits_until_eight_unless_urgent(nh: NoticeHarness):
    night = await to_next(nh, 23)
    quiet = await nh.start(["sms"], quiet_hours=True)
    urgent = await nh.start(["sms"], quiet_hours=True, urgent=True)
    await nh.env.sleep(timedelta(hours=1))
    assert (await outcome(quiet)).attempts == ()
    assert len((await outcome(urgent)).attempts) == 1
    await nh.env.sleep(timedelta(hours=7, minutes=55))
    assert (await outcome(quiet)).attempts == ()  # 07:55: still held
    # 08:05: the send went at 08:00 (the query right at 08:00 may come before its activity ends)
    await nh.env.sleep(timedelta(minutes=10))
    [first] = (await outcome(quiet)).attempts[:1]
    sent = first.sent_at.astimezone(SHANGHAI)
    assert sent.date() == (night + timedelta(days=1)).date() and time(8) <= sent.time() < time(9)


async def test_an_sms_goes_right_after_the_message_that_carries_its_link(nh: NoticeHarness):
    await to_next(nh, 10)
    handle = await nh.start(["sms", "email"], quiet_hours=True, pair_link=True)
    await nh.env.sleep(timedelta(minutes=5))
    attempts = (await outcome(handle)).attempts
    assert [a.channel for a in attempts] == ["email", "sms"]
    assert attempts[1].sent_at - attempts[0].sent_at < timedelta(minutes=1)
    result: NoticeOutcome = await handle.result()
    assert [a.channel for a in result.attempts if not a.reminder] == ["email", "sms"]

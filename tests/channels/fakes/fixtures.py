"""pytest fixtures that start the fake providers (imported by the channel tests' conftest)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.channels.fakes.aliyun import FakeAliyunSms
from tests.channels.fakes.dingtalk import FakeDingTalk
from tests.channels.fakes.wecom import FakeWeCom


@pytest.fixture
async def fake_wecom() -> AsyncIterator[FakeWeCom]:
    server = FakeWeCom()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def fake_dingtalk() -> AsyncIterator[FakeDingTalk]:
    server = FakeDingTalk()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def fake_aliyun() -> AsyncIterator[FakeAliyunSms]:
    server = FakeAliyunSms()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()

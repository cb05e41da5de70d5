"""Configuration refuses what would make a deployment wrong, and makes dev work at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from api.main import check_admin_can_get_in
from settings import GATEWAYS, GatewayMode, Settings
from store import people
from store.db import migrate

SECRET = "s" * 40


def test_a_time_scale_is_refused_outside_dev():
    with pytest.raises(ValidationError) as info:
        Settings(env="prod", time_scale=86400, secret_key=SECRET,
                 api_keys={"k": {"name": "a", "role": "hr"}})
    assert "CASEGUARD_TIME_SCALE" in str(info.value)


def test_outside_dev_no_keys_in_settings_leaves_them_to_the_directory(tmp_path: Path):
    settings = Settings(env="prod", var_dir=tmp_path, secret_key=SECRET, document_store="s3",
                        database_url=f"sqlite:///{tmp_path / 'c.db'}")
    assert settings.resolved_api_keys() == {}
    migrate(settings.db_url)
    with pytest.raises(RuntimeError, match="CASEGUARD_API_KEYS once"):
        check_admin_can_get_in(settings)  # an empty directory: nobody could get in
    people.bootstrap(settings.db_url, {"k-root": ("root", "admin")}, people.now())
    check_admin_can_get_in(settings)  # the first admin's key: later starts need no setting
    [root] = people.listing(settings.db_url, active=True, role="admin", limit=5, offset=0)[1]
    [key] = people.keys_of(settings.db_url, root.id)
    people.revoke_key(settings.db_url, root.id, key.id, "root", people.now())
    with pytest.raises(RuntimeError):
        check_admin_can_get_in(settings)


def test_outside_dev_the_link_secret_must_be_real():
    with pytest.raises(ValidationError, match="CASEGUARD_SECRET_KEY"):
        Settings(env="prod", api_keys={"k": {"name": "a", "role": "hr"}})


def test_dev_generates_one_key_per_role_once(tmp_path: Path):
    first = Settings(env="dev", var_dir=tmp_path).resolved_api_keys()
    again = Settings(env="dev", var_dir=tmp_path).resolved_api_keys()
    assert sorted(h.role for h in first.values()) == ["admin", "hr", "hr_manager", "manager"]
    assert first == again


def test_keys_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CASEGUARD_API_KEYS", '{"abc": {"name": "alice", "role": "hr"}}')
    assert Settings().resolved_api_keys()["abc"].name == "alice"
    monkeypatch.setenv("CASEGUARD_API_KEYS", '{"abc": {"name": "alice", "role": "boss"}}')
    with pytest.raises(ValidationError, match="role must be one of"):
        Settings()


def test_the_default_database_is_a_sqlite_file_under_var(tmp_path: Path):
    assert Settings(var_dir=tmp_path).db_url == f"sqlite:///{tmp_path / 'caseguard.db'}"


PROD = {"env": "prod", "secret_key": SECRET, "api_keys": {"k": {"name": "a", "role": "hr"}},
        "document_store": "s3"}


def test_every_gateway_is_manual_by_default_in_production_and_simulated_in_dev():
    prod, dev = Settings(**PROD), Settings(env="dev")
    test = Settings(env="test", secret_key=SECRET)
    assert {prod.gateway(name) for name in GATEWAYS} == {GatewayMode.manual}
    assert {dev.gateway(name) for name in GATEWAYS} == {GatewayMode.simulator}
    assert {test.gateway(name) for name in GATEWAYS} == {GatewayMode.simulator}


@pytest.mark.parametrize("name", GATEWAYS)
def test_a_simulator_is_refused_in_production_naming_its_setting(name: str):
    with pytest.raises(ValidationError, match=f"CASEGUARD_GATEWAY_{name.upper()}=simulator"):
        Settings(**PROD, **{f"gateway_{name}": "simulator"})


def test_dev_may_do_a_step_by_hand(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CASEGUARD_GATEWAY_SI_BUREAU", "manual")
    assert Settings(env="dev").gateway("si_bureau") is GatewayMode.manual
    monkeypatch.setenv("CASEGUARD_GATEWAY_SI_BUREAU", "robot")
    with pytest.raises(ValidationError, match="gateway_si_bureau"):
        Settings(env="dev")


def test_production_shares_its_documents_through_object_storage():
    with pytest.raises(ValidationError, match="CASEGUARD_DOCUMENT_STORE=local is refused"):
        Settings(**{**PROD, "document_store": "local"})
    assert Settings(env="dev").document_store == "local"

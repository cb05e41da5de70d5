"""docker-compose.yml is for production; Docker does not run here, so the file is parsed and checked."""

from __future__ import annotations

from pathlib import Path

import yaml

COMPOSE = yaml.safe_load((Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_every_part_of_the_product_is_a_service_with_a_health_check():
    assert set(SERVICES) >= {"postgresql", "temporal", "temporal-ui", "api", "worker"}
    for name, service in SERVICES.items():
        assert "healthcheck" in service, f"{name} has no health check"


def test_temporal_runs_auto_setup_on_postgresql():
    temporal = SERVICES["temporal"]
    assert temporal["image"].startswith("temporalio/auto-setup")
    assert temporal["environment"]["DB"].startswith("postgres")
    assert temporal["depends_on"]["postgresql"]["condition"] == "service_healthy"


def test_api_and_worker_run_in_prod_mode_against_postgresql_and_temporal():
    for name in ("api", "worker"):
        env = SERVICES[name]["environment"]
        assert env["CASEGUARD_ENV"] == "prod"
        assert env["CASEGUARD_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert env["CASEGUARD_TEMPORAL_ADDRESS"] == "temporal:7233"
        assert "CASEGUARD_TIME_SCALE" not in env
    assert SERVICES["worker"]["deploy"]["replicas"] >= 2


def test_published_ports_are_bound_to_loopback():
    for service in SERVICES.values():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:")


def test_messaging_and_gateway_settings_reach_the_containers():
    env = COMPOSE["x-caseguard-env"]
    for name in ("CASEGUARD_TWILIO_AUTH_TOKEN", "CASEGUARD_SMTP_HOST",
                 "CASEGUARD_GATEWAY_SI_BUREAU", "CASEGUARD_GATEWAY_COURIER"):
        assert env[name] == f"${{{name}:-}}"
    assert not any(str(v).strip() == "simulator" for v in env.values())


def test_the_worker_health_check_asks_the_worker_not_the_kernel():
    assert SERVICES["worker"]["healthcheck"]["test"] == ["CMD", "python", "worker.py", "--check"]


def test_the_image_has_a_cjk_font_runs_as_a_user_and_ignores_secrets():
    root = Path(__file__).resolve().parents[2]
    dockerfile = (root / "Dockerfile").read_text()
    assert "fonts-wqy-microhei" in dockerfile and "\nUSER caseguard\n" in dockerfile
    ignored = (root / ".dockerignore").read_text().split()
    assert {".env", "var/", ".venv/", "node_modules/"} <= set(ignored)

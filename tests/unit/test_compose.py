"""docker-compose.yml is for production; Docker does not run here, so the file is parsed and checked
(and handed to `docker compose config` where that command exists)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
CASEGUARD = ("api", "worker")
# Jobs that run to completion (or on demand, profile ops) rather than serve.
ONE_SHOTS = {"temporal-schema", "temporal-namespace", "minio-setup", "backup"}
TEMPORAL_VERSION = "1.31.0"


def _env(name: str) -> dict[str, str]:
    return {key: str(value) for key, value in SERVICES[name]["environment"].items()}


def _depends(name: str) -> dict[str, str]:
    return {dep: spec["condition"] for dep, spec in SERVICES[name].get("depends_on", {}).items()}


def test_every_part_of_the_product_is_a_service_and_every_server_has_a_health_check():
    assert set(SERVICES) >= {"caddy", "postgresql", "temporal", "temporal-ui", "minio", "api",
                             "worker"} | ONE_SHOTS
    for name, service in SERVICES.items():
        if name in ONE_SHOTS:
            assert "healthcheck" not in service and "ports" not in service
        else:
            assert "healthcheck" in service, f"{name} has no health check"
            assert service["restart"] == "unless-stopped"


def test_every_image_is_pinned_to_a_version():
    for name, service in SERVICES.items():
        if "build" in service:
            continue
        image, _, tag = service["image"].partition(":")
        assert re.fullmatch(r"(\d+\.\d+(\.\d+)?|RELEASE\.[0-9T-]+Z)", tag), f"{name}: {tag!r}"


def test_temporal_is_the_server_image_on_a_schema_the_admin_tools_set_up():
    assert not any("auto-setup" in s.get("image", "") for s in SERVICES.values())
    temporal, schema = SERVICES["temporal"], SERVICES["temporal-schema"]
    assert temporal["image"] == f"temporalio/server:{TEMPORAL_VERSION}"
    assert schema["image"] == f"temporalio/admin-tools:{TEMPORAL_VERSION}"
    assert _depends("temporal") == {"temporal-schema": "service_completed_successfully"}
    assert _depends("temporal-schema") == {"postgresql": "service_healthy"}
    assert _env("temporal")["DB"] == _env("temporal-schema")["DB"] == "postgres12"
    assert _env("temporal")["POSTGRES_SEEDS"] == _env("temporal-schema")["SQL_HOST"] == "postgresql"
    assert schema["restart"].startswith("on-failure")


def test_the_schema_job_sets_up_and_updates_both_databases_from_the_versioned_dirs():
    script = (ROOT / "deploy" / "temporal" / "setup-schema.sh").read_text()
    assert "./deploy/temporal:/caseguard:ro" in SERVICES["temporal-schema"]["volumes"]
    assert SERVICES["temporal-schema"]["entrypoint"][-1] == "/caseguard/setup-schema.sh"
    assert "schema=/etc/temporal/schema/postgresql/v12" in script
    assert "temporal:temporal visibility:temporal_visibility" in script
    for step in ('--db "$db" create', '--db "$db" setup-schema -v 0.0',
                 '--db "$db" update-schema -d "$schema/$dir/versioned"'):
        assert f"temporal-sql-tool {step}" in script


def test_the_namespace_gets_its_retention_once_the_server_is_healthy():
    job = SERVICES["temporal-namespace"]
    assert job["image"] == f"temporalio/admin-tools:{TEMPORAL_VERSION}"
    assert _depends("temporal-namespace") == {"temporal": "service_healthy"}
    env = _env("temporal-namespace")
    assert env["TEMPORAL_NAMESPACE"] == _env("api")["CASEGUARD_TEMPORAL_NAMESPACE"] == "default"
    assert re.fullmatch(r"\d+h", env["TEMPORAL_RETENTION"])
    assert int(env["TEMPORAL_RETENTION"][:-1]) >= 30 * 24
    script = (ROOT / "deploy" / "temporal" / "namespace.sh").read_text()
    assert script.count('--retention "$TEMPORAL_RETENTION"') == 2  # create, or update


def test_the_retention_is_set_in_one_place():
    text = (ROOT / "docker-compose.yml").read_text()
    assert text.count("TEMPORAL_RETENTION:") == 1
    assert "720h" not in (ROOT / "deploy" / "temporal" / "namespace.sh").read_text()


def test_only_caddy_publishes_ports_and_the_temporal_ui_stays_internal():
    published = {name for name, service in SERVICES.items() if service.get("ports")}
    assert published == {"caddy"}
    assert {p.split("/")[0] for p in SERVICES["caddy"]["ports"]} == {"80:80", "443:443"}
    assert "expose" not in SERVICES["temporal-ui"]


def test_caddy_serves_the_domain_with_the_caddyfile_and_keeps_its_certificates():
    caddy = SERVICES["caddy"]
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in caddy["volumes"]
    assert any(volume.endswith(":/data") for volume in caddy["volumes"])
    assert caddy["environment"]["CASEGUARD_DOMAIN"].startswith("${CASEGUARD_DOMAIN:?")
    assert _depends("caddy") == {"api": "service_healthy"}
    assert "reverse_proxy api:8000" in (ROOT / "deploy" / "Caddyfile").read_text()
    assert "--port\", \"8000\"" in str(SERVICES["api"]["command"]).replace("'", '"')
    assert _env("api")["CASEGUARD_PUBLIC_BASE_URL"] == "https://${CASEGUARD_DOMAIN:?set CASEGUARD_DOMAIN}"


def test_minio_holds_the_documents_and_a_job_creates_the_bucket():
    minio, setup = SERVICES["minio"], SERVICES["minio-setup"]
    assert minio["environment"]["MINIO_ROOT_USER"].startswith("${MINIO_ROOT_USER:?")
    assert minio["environment"]["MINIO_ROOT_PASSWORD"].startswith("${MINIO_ROOT_PASSWORD:?")
    assert minio["healthcheck"]["test"] == ["CMD", "mc", "ready", "local"]
    assert setup["image"].startswith("minio/mc:")
    assert _depends("minio-setup") == {"minio": "service_healthy"}
    script = " ".join(setup["command"])
    assert "mc alias set caseguard" in script
    assert 'mc mb --ignore-existing "caseguard/$$CASEGUARD_S3_BUCKET"' in script


def test_every_caseguard_service_keeps_documents_in_that_bucket():
    bucket_job = _env("minio-setup")
    for name in (*CASEGUARD, "backup"):
        env = _env(name)
        assert env["CASEGUARD_DOCUMENT_STORE"] == "s3"
        assert env["CASEGUARD_S3_ENDPOINT_URL"] == "http://minio:9000"
        for key in ("CASEGUARD_S3_BUCKET", "CASEGUARD_S3_ACCESS_KEY", "CASEGUARD_S3_SECRET_KEY"):
            assert env[key] == bucket_job[key], f"{name}: {key}"
    assert bucket_job["CASEGUARD_S3_ACCESS_KEY"] == "${MINIO_ROOT_USER:?set MINIO_ROOT_USER}"


def test_api_and_worker_run_in_prod_mode_after_everything_they_need_is_ready():
    for name in CASEGUARD:
        env = _env(name)
        assert env["CASEGUARD_ENV"] == "prod"
        assert env["CASEGUARD_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert env["CASEGUARD_TEMPORAL_ADDRESS"] == "temporal:7233"
        assert "CASEGUARD_TIME_SCALE" not in env
        assert _depends(name).items() >= {
            "postgresql": "service_healthy", "temporal": "service_healthy",
            "temporal-namespace": "service_completed_successfully",
            "minio-setup": "service_completed_successfully"}.items()
    assert _depends("worker")["api"] == "service_healthy"
    assert SERVICES["worker"]["deploy"]["replicas"] >= 2


def test_health_checks_ask_the_service_whether_it_can_work():
    assert SERVICES["worker"]["healthcheck"]["test"] == ["CMD", "python", "worker.py", "--check"]
    assert "/healthz" in " ".join(SERVICES["api"]["healthcheck"]["test"])
    assert "7243/api/v1/cluster-info" in " ".join(SERVICES["temporal"]["healthcheck"]["test"])
    assert "pg_isready" in " ".join(SERVICES["postgresql"]["healthcheck"]["test"])


def test_messaging_and_gateway_settings_reach_the_containers():
    env = COMPOSE["x-caseguard-env"]
    for name in ("CASEGUARD_TWILIO_AUTH_TOKEN", "CASEGUARD_SMTP_HOST",
                 "CASEGUARD_GATEWAY_SI_BUREAU", "CASEGUARD_GATEWAY_COURIER"):
        assert env[name] == f"${{{name}:-}}"
    assert not any(str(v).strip() == "simulator" for v in env.values())


def test_backups_run_on_demand_with_the_servers_pg_dump():
    backup = SERVICES["backup"]
    assert backup["profiles"] == ["ops"]
    dockerfile = (ROOT / backup["build"]["dockerfile"]).read_text()
    assert f"\nFROM {SERVICES['postgresql']['image']}\n" in dockerfile
    env = _env("backup")
    assert env["PGHOST"] == "postgresql" and env["PGDATABASE"] == "caseguard"
    assert env["CASEGUARD_BACKUP_DATABASES"].split() == ["caseguard", "temporal",
                                                         "temporal_visibility"]
    assert any(v.endswith(":/backups") for v in backup["volumes"])


def test_the_image_has_a_cjk_font_runs_as_a_user_and_ignores_secrets():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "fonts-wqy-microhei" in dockerfile and "\nUSER caseguard\n" in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", "var/", ".venv/", "node_modules/", "backups/"} <= set(ignored)


def test_docker_compose_accepts_the_file(tmp_path: Path):
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "compose", "version"], capture_output=True,
                                        check=False).returncode != 0:
        pytest.skip("no `docker compose` on this machine: the file is checked by parsing only")
    env_file = tmp_path / ".env"
    env_file.write_text("".join(f"{name}=x\n" for name in (
        "POSTGRES_PASSWORD", "MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD", "CASEGUARD_DOMAIN",
        "CASEGUARD_API_KEYS", "CASEGUARD_SECRET_KEY")))
    checked = subprocess.run(
        [docker, "compose", "--env-file", str(env_file), "--profile", "ops",
         "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr


def test_the_payload_keys_reach_api_and_workers_and_are_required():
    env = COMPOSE["x-caseguard-env"]
    assert env["CASEGUARD_PAYLOAD_KEYS"].startswith("${CASEGUARD_PAYLOAD_KEYS:?")

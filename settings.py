"""Configuration from the environment (CASEGUARD_*), built by the API and the worker at start-up."""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.shared.company import Company, uscc_problem
from payload_codec import KEY_ID_PATTERN

ROOT = Path(__file__).resolve().parent
ROLES = ("hr", "hr_manager", "manager", "admin")
DEV_SECRET = "dev-only-secret-change-me"
# The Temporal payload key of dev, as public as DEV_SECRET: refused outside dev (payload_keyring).
DEV_PAYLOAD_KEY_ID = "dev"
DEV_PAYLOAD_KEY = b"caseguard-dev-payload-key-000000"  # 32 bytes: AES-256
CJK_FONTS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
)


class Env(StrEnum):
    dev = "dev"
    test = "test"
    prod = "prod"


class GatewayMode(StrEnum):
    """How a step in an outside system is done: by hand (HR, with a task) or by the simulator."""

    manual = "manual"
    simulator = "simulator"


class DocumentStore(StrEnum):
    local = "local"   # a folder under var/: one machine (`make run`)
    s3 = "s3"         # S3-compatible object storage every process shares (MinIO in docker-compose)


# The outside systems, by their setting's name (CASEGUARD_GATEWAY_<NAME>).
GATEWAYS = ("si_bureau", "injury_authority", "hospital", "si_benefits", "courier")


class KeyHolder(BaseModel):
    """Who an API key belongs to: a principal name and one role."""

    name: str = Field(min_length=1)
    role: str

    @field_validator("role")
    @classmethod
    def _known_role(cls, role: str) -> str:
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        return role


class ContactSetting(BaseModel):
    name: str
    phone: str | None = None
    email: str | None = None


class Settings(BaseSettings):
    """Every setting, documented in README and .env.example."""

    model_config = SettingsConfigDict(
        env_prefix="CASEGUARD_", env_file=".env", extra="ignore", env_ignore_empty=True
    )

    env: Env = Env.dev
    var_dir: Path = ROOT / "var"
    database_url: str = ""
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    task_queue: str = "caseguard"
    api_keys: dict[str, KeyHolder] = Field(default_factory=dict)
    time_scale: float = Field(default=1.0, gt=0)
    # No SMS, and no call to action, 22:00-08:00 Beijing time (issue 17 §2); tests turn it off so
    # that no test depends on the hour it runs at.
    notice_quiet_hours: bool = True
    # An employee's notice moves to their next channel after this long without a delivery or
    # read report (issue 17 §2).
    notice_fallback_hours: float = Field(default=24, gt=0, le=72)
    escalation_interval_hours: float = Field(default=24, gt=0)
    enrollment_hold_minutes: float = Field(default=60, ge=0)
    policy_file: Path | None = None
    hr_manager_contact: ContactSetting | None = None
    public_base_url: str = "http://127.0.0.1:8000"
    document_max_bytes: int = Field(default=20 * 1024 * 1024, gt=0)
    # The edges (api/edges.py): a request body that is not an upload; requests to /r/ and failed
    # API keys per client address and minute; /docs, /redoc, /openapi.json (unset: off in prod).
    request_max_bytes: int = Field(default=1024 * 1024, gt=0)
    link_requests_per_minute: int = Field(default=30, gt=0)
    auth_failures_per_minute: int = Field(default=10, gt=0)
    api_docs: bool | None = None
    secret_key: str = DEV_SECRET
    link_days: int = Field(default=30, gt=0)
    hr_phone: str = ""
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_from_number: str = ""
    twilio_api_base_url: str = ""
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_from: str = "Caseguard <caseguard@localhost>"
    smtp_starttls: bool = False
    # WeCom (企业微信) application messages and their card callback; DingTalk (钉钉) work
    # notifications; Aliyun SMS for mainland numbers (README, "Chinese channels"). The base URLs
    # are the providers' own unless a test points them at its fake.
    wecom_corp_id: str = ""
    wecom_agent_id: int = 0
    wecom_secret: SecretStr = SecretStr("")
    wecom_token: SecretStr = SecretStr("")
    wecom_aes_key: SecretStr = SecretStr("")
    wecom_api_base_url: str = "https://qyapi.weixin.qq.com"
    dingtalk_app_key: str = ""
    dingtalk_app_secret: SecretStr = SecretStr("")
    dingtalk_agent_id: int = 0
    dingtalk_api_base_url: str = "https://oapi.dingtalk.com"
    aliyun_sms_access_key_id: str = ""
    aliyun_sms_access_key_secret: SecretStr = SecretStr("")
    aliyun_sms_sign_name: str = ""
    aliyun_sms_template_codes: dict[str, str] = Field(default_factory=dict)
    aliyun_sms_endpoint: str = "https://dysmsapi.aliyuncs.com"
    pdf_font: Path | None = None
    # The employer every document names (README, "Company"): a bad code is refused at start.
    company_name: str = ""
    company_uscc: str = ""        # 统一社会信用代码, 18 characters (GB 32100-2015)
    company_address: str = ""
    company_contact: str = ""
    # An RFC 3161 time-stamping authority that stamps each ledger head (README, "Timestamps"):
    # its URL, and the CA bundle (PEM) the bundle's verifier trusts for its tokens. Empty: none.
    tsa_url: str = ""
    tsa_ca_file: Path | None = None
    tsa_timeout_seconds: float = Field(default=10, gt=0)
    # Processes that build evidence bundles beside the API's own (api/bundles.py): one keeps the
    # other core of a small machine answering while bundles render.
    bundle_processes: int = Field(default=1, ge=1, le=16)
    # Their niceness (nice(2)): on a busy machine the processes that answer clicks run first.
    bundle_niceness: int = Field(default=10, ge=0, le=19)
    # Processes that render the worker's forms (activities/forms.py), beside the one that runs the
    # workflows: 0 renders in the activity's thread. Started with the first form, at this niceness.
    form_processes: int = Field(default=1, ge=0, le=16)
    form_niceness: int = Field(default=10, ge=0, le=19)
    case_materials_sla_hours: float = Field(default=24, gt=0)
    case_reminder_days: tuple[int, ...] = (7, 20, 27)
    return_notice_lead_days: int = Field(default=7, ge=1, le=60)
    notice_response_hours: float = Field(default=72, gt=0)
    settlement_target_days: int = Field(default=15, ge=1, le=365)
    notify_emergency_contact: bool = False
    # Unset: the simulator in dev and test, manual otherwise. A simulator outside dev and test is
    # refused: it would enrol no one and tell HR the employee is insured.
    gateway_si_bureau: GatewayMode | None = None
    gateway_injury_authority: GatewayMode | None = None
    gateway_hospital: GatewayMode | None = None
    gateway_si_benefits: GatewayMode | None = None
    gateway_courier: GatewayMode | None = None
    document_store: DocumentStore = DocumentStore.local
    s3_endpoint_url: str = ""      # MinIO: http://minio:9000; empty: AWS
    s3_bucket: str = "caseguard-documents"
    s3_region: str = "us-east-1"
    s3_access_key: str = ""
    s3_secret_key: str = ""
    # Temporal payload encryption (payload_codec.py): JSON {"<key id>": "<base64 of 32 bytes>"},
    # the id new payloads are sealed with, and/or a secret file holding the same JSON. None in
    # dev: the fixed dev key. The UI origins allowed to call the codec endpoint (CORS).
    payload_keys: dict[str, SecretStr] = Field(default_factory=dict)
    payload_key_id: str = ""
    payload_keys_file: Path | None = None
    # Deflate large payloads inside the seal. Every process reads deflated payloads whatever this
    # says; upgrading a deployment from a release that cannot, restart once with it off (README).
    payload_deflate: bool = True
    codec_cors_origins: tuple[str, ...] = ()

    @field_validator("case_reminder_days")
    @classmethod
    def _reminder_days(cls, days: tuple[int, ...]) -> tuple[int, ...]:
        if any(not 1 <= d <= 29 for d in days):
            raise ValueError("reminder days must lie inside the 30-day window (1-29)")
        return tuple(sorted(set(days)))

    @field_validator("company_uscc")
    @classmethod
    def _company_uscc(cls, code: str) -> str:
        code = code.strip().upper()
        problem = uscc_problem(code) if code else ""
        if problem:
            raise ValueError(f"CASEGUARD_COMPANY_USCC={code} is not a unified social credit code: "
                             f"{problem}")
        return code

    @field_validator("tsa_url")
    @classmethod
    def _tsa_url(cls, url: str) -> str:
        if url and not url.startswith(("http://", "https://")):
            raise ValueError(f"CASEGUARD_TSA_URL={url} must be the http(s) URL of an RFC 3161 "
                             "time-stamping authority")
        return url

    @field_validator("tsa_ca_file")
    @classmethod
    def _tsa_ca_file(cls, path: Path | None) -> Path | None:
        if path is not None and not path.is_file():
            raise ValueError(f"CASEGUARD_TSA_CA_FILE={path} is not a readable file (the "
                             "authority's CA certificate, PEM)")
        return path

    def company(self) -> Company:
        """The employer as every document names it (CASEGUARD_COMPANY_*)."""
        return Company(name=self.company_name.strip(), uscc=self.company_uscc,
                       address=self.company_address.strip(), contact=self.company_contact.strip())

    @field_validator("wecom_aes_key")
    @classmethod
    def _wecom_aes_key(cls, key: SecretStr) -> SecretStr:
        text = key.get_secret_value()
        if text and (len(text) != 43 or len(base64.b64decode(text + "=", validate=False)) != 32):
            raise ValueError("CASEGUARD_WECOM_AES_KEY must be the 43-character EncodingAESKey of "
                             "the WeCom app's callback settings")
        return key

    @field_validator("payload_keys")
    @classmethod
    def _payload_keys(cls, keys: dict[str, SecretStr]) -> dict[str, SecretStr]:
        for key_id, key in keys.items():
            payload_key(key_id, key.get_secret_value(), "CASEGUARD_PAYLOAD_KEYS")
        return keys

    def payload_keyring(self) -> tuple[str, dict[str, bytes]]:
        """The current payload key id and every known key by id (README, "Temporal payload
        encryption"). In dev without keys: the fixed dev key. Outside dev the API and the worker
        refuse to start without a real key: every workflow input carries personal data."""
        keys = {key_id: payload_key(key_id, key.get_secret_value(), "CASEGUARD_PAYLOAD_KEYS")
                for key_id, key in self.payload_keys.items()}
        if self.payload_keys_file is not None:
            for key_id, key in _payload_keys_file(self.payload_keys_file).items():
                if keys.setdefault(key_id, key) != key:
                    raise RuntimeError(f"payload key id {key_id!r} has one key in "
                                       "CASEGUARD_PAYLOAD_KEYS and another in CASEGUARD_PAYLOAD_KEYS_FILE")
        if not keys and self.env is Env.dev:
            return DEV_PAYLOAD_KEY_ID, {DEV_PAYLOAD_KEY_ID: DEV_PAYLOAD_KEY}
        if not keys:
            raise RuntimeError(
                "CASEGUARD_PAYLOAD_KEYS is empty: outside CASEGUARD_ENV=dev the API and the worker "
                'refuse to start without a payload key (JSON {"<key id>": "<base64 of 32 random '
                'bytes>"}, or a file of it in CASEGUARD_PAYLOAD_KEYS_FILE): Temporal would store '
                "employees' personal data in clear")
        if self.env is not Env.dev and DEV_PAYLOAD_KEY in keys.values():
            raise RuntimeError("CASEGUARD_PAYLOAD_KEYS holds the dev key, which is public: outside "
                               "CASEGUARD_ENV=dev use random keys")
        current = self.payload_key_id or (next(iter(keys)) if len(keys) == 1 else "")
        if current not in keys:
            raise RuntimeError(
                f"CASEGUARD_PAYLOAD_KEY_ID must name the key new payloads are encrypted with, one "
                f"of {', '.join(sorted(keys))} (it is {self.payload_key_id or 'empty'})")
        return current, keys

    def cjk_font(self) -> Path:
        """The TrueType CJK font of the bundle PDF (`make install` installs WenQuanYi Micro Hei)."""
        candidates = [self.pdf_font] if self.pdf_font else list(CJK_FONTS)
        for path in candidates:
            if path is not None and path.exists():
                return path
        raise RuntimeError(
            "no CJK font for the evidence PDF: run `make install` (Debian package "
            "fonts-wqy-microhei) or set CASEGUARD_PDF_FONT to a TrueType font with Chinese glyphs")

    @property
    def documents_dir(self) -> Path:
        return self.var_dir / "documents"

    @model_validator(mode="after")
    def _real_secret_outside_dev(self) -> Settings:
        if self.env is not Env.dev and (self.secret_key == DEV_SECRET or len(self.secret_key) < 32):
            raise ValueError(
                "CASEGUARD_SECRET_KEY must be set to a random string of 32+ characters outside "
                "CASEGUARD_ENV=dev: it signs the personal links sent to employees")
        return self

    @model_validator(mode="after")
    def _dev_only_time_scale(self) -> Settings:
        if self.time_scale != 1 and self.env is not Env.dev:
            raise ValueError(
                f"CASEGUARD_TIME_SCALE={self.time_scale:g} is accepted only with CASEGUARD_ENV=dev "
                f"(it is {self.env.value}): a scaled clock would make statutory deadlines wrong"
            )
        return self

    def gateway(self, name: str) -> GatewayMode:
        """The mode of one outside system (GATEWAYS), its default resolved by the environment."""
        mode: GatewayMode | None = getattr(self, f"gateway_{name}")
        if mode is not None:
            return mode
        return GatewayMode.simulator if self.env in (Env.dev, Env.test) else GatewayMode.manual

    @model_validator(mode="after")
    def _no_simulator_in_production(self) -> Settings:
        if self.env in (Env.dev, Env.test):
            return self
        simulated = [name for name in GATEWAYS if self.gateway(name) is GatewayMode.simulator]
        if simulated:
            raise ValueError(
                f"CASEGUARD_GATEWAY_{simulated[0].upper()}=simulator is accepted only with "
                f"CASEGUARD_ENV=dev or test (it is {self.env.value}): a simulator answers for an "
                "outside system that nothing reached; use manual")
        return self

    @model_validator(mode="after")
    def _shared_documents_in_production(self) -> Settings:
        if self.env is Env.prod and self.document_store is DocumentStore.local:
            raise ValueError(
                "CASEGUARD_DOCUMENT_STORE=local is refused with CASEGUARD_ENV=prod: the API and "
                "every worker must read the same documents; set CASEGUARD_DOCUMENT_STORE=s3 and "
                "CASEGUARD_S3_ENDPOINT_URL, _BUCKET, _ACCESS_KEY, _SECRET_KEY")
        return self

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.var_dir / 'caseguard.db'}"

    @property
    def docs_enabled(self) -> bool:
        """Whether the API serves /docs, /redoc and /openapi.json: CASEGUARD_API_DOCS, else all
        but production."""
        return self.api_docs if self.api_docs is not None else self.env is not Env.prod

    @property
    def dev_keys_file(self) -> Path:
        return self.var_dir / "api-keys.json"

    def resolved_api_keys(self) -> dict[str, KeyHolder]:
        """The configured keys; in dev with none configured, one generated key per role under var/;
        outside dev none (the directory's keys: the API checks an admin can still get in)."""
        if self.api_keys or self.env is not Env.dev:
            return self.api_keys
        return {k: KeyHolder(**v) for k, v in _dev_keys(self.dev_keys_file).items()}


def payload_key(key_id: str, text: str, setting: str) -> bytes:
    """One payload key from its base64 text; a ValueError naming the setting unless 32 bytes."""
    if not KEY_ID_PATTERN.match(key_id):
        raise ValueError(f"{setting}: key id {key_id!r} must be 1-64 of A-Z a-z 0-9 . _ -")
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{setting}: key {key_id!r} is not base64") from None
    if len(key) != 32:
        raise ValueError(f"{setting}: key {key_id!r} is {len(key)} bytes, not 32 (AES-256)")
    return key


def _payload_keys_file(path: Path) -> dict[str, bytes]:
    try:
        entries = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise RuntimeError(f"CASEGUARD_PAYLOAD_KEYS_FILE={path} is not readable JSON: {error}") from None
    if not isinstance(entries, dict) or not all(isinstance(v, str) for v in entries.values()):
        raise RuntimeError(f'CASEGUARD_PAYLOAD_KEYS_FILE={path} must hold {{"<key id>": "<base64>"}}')
    return {str(k): payload_key(str(k), v, "CASEGUARD_PAYLOAD_KEYS_FILE") for k, v in entries.items()}


def _dev_keys(path: Path) -> dict[str, Any]:
    if path.exists():
        return dict(json.loads(path.read_text()))
    keys = {f"dev-{role}-{secrets.token_hex(8)}": {"name": f"dev-{role}", "role": role} for role in ROLES}
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created 0600, never readable by others even for a moment (write, then chmod, would be).
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
        out.write(json.dumps(keys, indent=2))
    path.chmod(0o600)  # a file that existed keeps its mode through os.open
    return keys

"""What a document upload may be: kinds, size and the file types recognised by their first bytes."""

from __future__ import annotations

from dataclasses import dataclass

from domain.shared.errors import RuleViolation

KINDS = ("accident_report", "diagnosis", "surgery_record", "invoice", "courier_receipt",
         "agreement", "delay_evidence", "determination_form", "bureau_receipt", "payment_voucher",
         "return_notice", "withdrawal_application", "labour_contract", "other")
MAX_BYTES_DEFAULT = 20 * 1024 * 1024

# The type is decided by the content's signature, never by the name or the declared header.
_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"GIF87a", "image/gif", "gif"),
    (b"GIF89a", "image/gif", "gif"),
)


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise RuleViolation("kind", "document.kind", f"kind must be one of {', '.join(KINDS)}")
    return kind


def detect_type(head: bytes) -> FileType:
    """PDF, PNG, JPEG or GIF by signature; WebP and HEIC by their container marks."""
    for signature, content_type, extension in _SIGNATURES:
        if head.startswith(signature):
            return FileType(content_type, extension)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return FileType("image/webp", "webp")
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1"):
        return FileType("image/heic", "heic")
    raise RuleViolation("file", "document.type",
                        "file must be a PDF, PNG, JPEG, GIF, WebP or HEIC (judged by its content)")


def check_size(size: int, limit: int) -> None:
    if size == 0:
        raise RuleViolation("file", "document.empty", "file is empty")
    if size > limit:
        raise RuleViolation("file", "document.too_large",
                            f"file is {size} bytes; the limit is {limit} bytes")

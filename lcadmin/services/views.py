"""What pages are handed besides words: a status's tone, so that no page maps statuses itself."""

from __future__ import annotations

_TONES = {
    "paid": "success", "signed": "success", "active": "success", "succeeded": "success", "mandate_active": "success",
    "expiring": "warning", "revoked": "neutral", "action_required": "warning", "debit_pending": "info",
    "open": "warning", "awaiting_signature": "warning", "pending": "warning", "invited": "warning",
    "overdue": "danger", "failed": "danger",
    "expired": "neutral", "terminated": "neutral", "void": "neutral", "cancelled": "neutral", "removed": "neutral",
}


def status_tone(status: str) -> str:
    """``success``, ``warning``, ``danger``, ``neutral`` or ``info`` (the badge's colour)."""
    return _TONES.get(status, "info")

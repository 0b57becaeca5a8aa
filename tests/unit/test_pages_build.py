"""Every page of the app builds: a prop of the wrong type or a bad var fails here, in the quick
suite, instead of at the first production build."""

from __future__ import annotations

import pytest
from reflex.config import get_config


def _pages():
    get_config()  # rxconfig puts the venv's tools on PATH first
    import lcadmin.lcadmin as app_module

    return app_module.app._unevaluated_pages


@pytest.mark.parametrize("route", sorted(_pages()))
def test_the_page_builds(route):
    page = _pages()[route]
    component = page.component() if callable(page.component) else page.component
    assert component.render()  # the whole tree renders to the frontend's description

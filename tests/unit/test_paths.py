"""Where a sign-in may send the browser back to."""

from __future__ import annotations

import pytest

from lcadmin import paths


@pytest.mark.parametrize("value", ["/admin", "/admin/invoices", "/admin/orders/FLD102776277396",
                                   "/admin/invoices?status=open"])
def test_an_admin_center_page_is_a_return_path(value):
    assert paths.return_path(value) == value


@pytest.mark.parametrize("value", [None, 3, "", "/", "/sign-up", "/administrator", "//evil.example/admin",
                                   "/admin//evil.example", "/admin/\\evil", "https://evil.example/admin",
                                   "/admin/\nx", "/admin/ x", "/admin/" + "a" * 300, "/admin/../sign-up",
                                   "/admin/%2e%2e/password/forgot", "/admin/./x", "/admin/\x7f"])
def test_anything_else_returns_to_the_admin_centers_home(value):
    assert paths.return_path(value) == paths.ADMIN


def test_the_sign_in_page_carries_the_return_path_only_when_there_is_one():
    assert paths.sign_in_returning_to("/admin") == "/sign-in"
    assert paths.sign_in_returning_to("/") == "/sign-in"
    assert paths.sign_in_returning_to("/admin/invoices?status=open") == "/sign-in?next=/admin/invoices%3Fstatus%3Dopen"

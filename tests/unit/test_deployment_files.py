"""The deployment files in deploy/ are what the README says: Caddy accepts its configuration, systemd
its units, and the units' command lines are commands lcadmin has."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from lcadmin.cli import build_parser
from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))


def _caddy_env(**overrides) -> dict[str, str]:
    return {**os.environ, "LCADMIN_SITE": "admin.example.com", "LCADMIN_TLS": "ops@example.com",
            "LCADMIN_UPSTREAMS": "10.0.0.11:3000 10.0.0.12:3000", **overrides}


@pytest.mark.parametrize("env", [_caddy_env(), _caddy_env(LCADMIN_SITE="127.0.0.1:8443", LCADMIN_TLS="internal")])
def test_caddy_accepts_the_configuration(tmp_path, env):
    require(shutil.which("caddy") is not None, "no caddy on PATH (apt-get install caddy)")
    done = subprocess.run(["caddy", "validate", "--config", str(DEPLOY / "Caddyfile"), "--adapter", "caddyfile"],
                          env={**env, "XDG_DATA_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "Valid configuration" in done.stdout + done.stderr, done.stderr[-2000:]


def test_the_caddy_example_sets_every_variable_the_configuration_reads():
    read = set(re.findall(r"\{\$(LCADMIN_[A-Z_]+)\}", (DEPLOY / "Caddyfile").read_text()))  # no default given
    example = set(re.findall(r"^(LCADMIN_[A-Z_]+)=", (DEPLOY / "caddy.env.example").read_text(), re.MULTILINE))
    assert read and read <= example


@pytest.mark.parametrize("unit", UNITS, ids=[u.name for u in UNITS])
def test_systemd_accepts_the_units(tmp_path, unit):
    require(shutil.which("systemd-analyze") is not None, "no systemd-analyze (Debian's systemd package)")
    # The units name /opt/lcadmin; here the checkout stands in for it, so the command must exist.
    name = unit.name.replace("@.", "@3000.")
    (tmp_path / name).write_text(unit.read_text().replace("/opt/lcadmin", str(ROOT)))
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", str(tmp_path / name)],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    problems = [line for line in (done.stdout + done.stderr).splitlines()
                if name in line and "Failed to" not in line]  # the host's own units are not ours to judge
    assert done.returncode == 0 and not problems, done.stdout + done.stderr


@pytest.mark.parametrize("unit", UNITS, ids=[u.name for u in UNITS])
def test_the_units_run_commands_lcadmin_has(unit):
    command = re.search(r"^ExecStart=(.+)$", unit.read_text(), re.MULTILINE).group(1)
    words = shlex.split(command.replace("${LCADMIN_LISTEN_HOST}", "127.0.0.1").replace("%i", "3000"))
    assert words[0] == "/opt/lcadmin/.venv/bin/lcadmin"
    args = build_parser().parse_args(words[1:])
    assert args.command in ("serve", "worker")


def test_the_settings_example_names_only_settings_the_readme_documents():
    readme = (ROOT / "README.md").read_text()
    names = re.findall(r"^#?((?:LCADMIN|REFLEX)_[A-Z_]+)=", (DEPLOY / "lcadmin.env.example").read_text(), re.MULTILINE)
    undocumented = [name for name in names if f"`{name}`" not in readme and name != "LCADMIN_LISTEN_HOST"]
    assert names and not undocumented

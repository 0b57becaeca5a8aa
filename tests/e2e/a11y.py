"""Accessibility checks in the browser: axe-core (from the npm registry, installed by `make test`)
run on the page as it stands, failing on any serious or critical finding against WCAG 2.2 AA."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(os.environ.get("LCADMIN_AXE", ROOT / ".venv/axe-core/node_modules/axe-core/axe.min.js"))
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_source() -> str:
    require(AXE.is_file(), f"no axe-core at {AXE} (make axe, which needs npm)")
    return AXE.read_text()


def check(page, where: str) -> None:
    """Run axe-core on ``page``; fail with every serious or critical violation, where it is.

    ``page.evaluate`` is not subject to the page's Content Security Policy, so axe runs on the
    production build as served."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source() + "\n;undefined")
    result = page.evaluate("""async (tags) => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
        return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').split('\\n').slice(0, 2).join(' '))}));
    }""", TAGS)
    assert not result, f"accessibility ({where}):\n" + "\n".join(
        f"- {v['impact']} {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in result)

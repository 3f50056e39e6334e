"""Start-up stays light: the CLI and the app factory never import the statistics stack.

Structural, not timed: the heavy packages load only inside the views and commands that use them.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("numpy", "pandas", "scipy", "statsmodels", "altair", "vl_convert")

PROBE = """
import json, sys
{body}
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""

CASES = {
    "import webapp.cli": "import webapp.cli",
    "create_app": "from webapp import create_app\ncreate_app()",
    "tandem --help": ("sys.argv = ['tandem', '--help']\nfrom webapp.cli import main\n"
                      "try:\n    main()\nexcept SystemExit:\n    pass"),
}


def _loaded(body: str, tmp_path: Path) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TANDEM_")}
    env.update(TANDEM_INSTANCE_PATH=str(tmp_path / "instance"),
               TANDEM_DATABASE_URL=f"sqlite:///{tmp_path / 'startup.db'}", TANDEM_SECRET_KEY="s" * 32)
    done = subprocess.run([sys.executable, "-c", PROBE.format(body=body, heavy=HEAVY)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("body", CASES.values(), ids=CASES.keys())
def test_startup_does_not_import_the_statistics_stack(body, tmp_path):
    assert _loaded(body, tmp_path) == []

"""The Python API as the README shows it: the example runs, and the names are all there."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from brieftest import REPO

import briefing


def readme_example() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Use from Python", 1)[1]
    [code] = re.findall(r"```python\n(.*?)```", section.split("\n## ", 1)[0], re.DOTALL)
    return code


def test_the_readme_example_builds_and_writes_a_brief(tmp_path: Path) -> None:
    (tmp_path / "seeds").symlink_to(REPO / "seeds")
    result = subprocess.run(
        [sys.executable, "-c", readme_example()],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Syria and Idlib" in result.stdout
    assert sorted(p.name for p in (tmp_path / "out").glob("brief-*")) == [
        "brief-2026-12-01.json",
        "brief-2026-12-01.md",
    ]


def test_every_api_name_loads() -> None:
    for name in briefing.__all__:
        assert getattr(briefing, name) is not None, name
    assert briefing.build_brief.__module__ == "briefing.pipeline"
    assert briefing.Brief.__module__ == "briefing.model"


def test_importing_briefing_loads_no_pipeline() -> None:
    probe = "import sys, briefing; print(sorted({'numpy', 'scipy'} & set(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"

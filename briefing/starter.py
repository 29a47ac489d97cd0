"""`briefing init`: a job folder to start from (a commented config, a topics file and an
example article), copied from the `starter-*` files in `templates/`."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from briefing.errors import InputError

# Each starter file's path in the job folder, and its template in `templates/`.
STARTER_FILES = {
    "briefing.toml": "starter-briefing.toml",
    "topics.toml": "starter-topics.toml",
    "articles/2026-11-14-dock-strike.txt": "starter-article.txt",
}


def write_starter(folder: Path, *, force: bool = False) -> list[Path]:
    """Write the starter files into FOLDER (made if missing); the paths written. Files
    already there are left alone unless `force`: an error names the first."""
    templates = resources.files("briefing.templates")
    targets = [(folder / name, templates / source) for name, source in STARTER_FILES.items()]
    if not force:
        for target, _ in targets:
            if target.exists():
                raise InputError(f"{target}: already there (give --force to overwrite)")
    written = []
    for target, source in targets:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
        except OSError as exc:
            raise InputError(f"{target}: cannot write ({exc.strerror or exc})") from None
        written.append(target)
    return written

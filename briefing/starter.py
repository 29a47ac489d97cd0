"""`briefing init`: a job folder to start from (a commented config, a topics file and an
example article), copied from `templates/init/`."""

from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from briefing.errors import InputError


def _starter_files() -> list[tuple[str, Traversable]]:
    """Each starter file's path in the job folder, and the packaged file it comes from."""
    found: list[tuple[str, Traversable]] = []
    pending: list[tuple[str, Traversable]] = [("", resources.files("briefing.templates") / "init")]
    while pending:
        prefix, folder = pending.pop()
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.startswith(("_", ".")):
                continue
            if entry.is_dir():
                pending.append((f"{prefix}{entry.name}/", entry))
            else:
                found.append((prefix + entry.name, entry))
    return sorted(found)


def write_starter(folder: Path, *, force: bool = False) -> list[Path]:
    """Write the starter files into FOLDER (made if missing); the paths written. Files
    already there are left alone unless `force`: an error names the first."""
    files = _starter_files()
    targets = [(folder / name, source) for name, source in files]
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

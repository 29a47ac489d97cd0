"""The `briefing` command (console script and `python -m briefing`).

`briefing --version` is answered here, before the CLI loads: click and the commands'
modules are most of the start-up's time, and a version needs neither.
"""

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from briefing import __version__

        sys.stdout.write(f"briefing, version {__version__}\n")  # click's version line
        return
    from briefing.cli import main as run_command

    run_command()


if __name__ == "__main__":  # not when a spawned worker process imports it
    main()

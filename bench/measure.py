"""One `briefing` command as a child process, measured: what the bench scripts share."""

from __future__ import annotations

import os
import subprocess
import sys
import time


def run_briefing(*args: str) -> tuple[int, float, float]:
    """Exit code, wall seconds and peak RSS (MB) of one `briefing ARGS...` process."""
    command = [sys.executable, "-m", "briefing", *args]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    return os.waitstatus_to_exitcode(status), time.perf_counter() - start, usage.ru_maxrss / 1024

"""Two independent stages at once, on two cores.

Most of a large brief's time goes to Python loops over every sentence (routing above
all), which one process runs on one core. Handing one stage to a forked child uses the
second core without copying anything in: the child starts with the parent's memory, and
only its result travels back.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

First = TypeVar("First")
Second = TypeVar("Second")


def spare_cores() -> bool:
    """True where a forked child can run beside this process on another core."""
    if hasattr(os, "sched_getaffinity"):
        cores = len(os.sched_getaffinity(0))  # the cores this process may use
    else:
        cores = os.cpu_count() or 1
    return cores > 1 and "fork" in multiprocessing.get_all_start_methods()


def _run_and_send(work: Callable[[], Any], sender: Connection) -> None:
    try:
        result: tuple[str, Any] = ("done", work())
    except BaseException as exc:  # the parent re-raises it
        result = ("failed", exc)
    sender.send(result)
    sender.close()


def concurrently(
    first: Callable[[], First], second: Callable[[], Second], *, worth_it: bool = True
) -> tuple[First, Second]:
    """`(first(), second())`, with `first` run in a forked child while this process
    runs `second`. Serial when it is not worth a process, or no second core or fork
    is available; if the child dies, `first` is run here instead."""
    if not (worth_it and spare_cores()):
        return first(), second()
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_run_and_send, args=(first, sender), daemon=True)
    child.start()
    sender.close()
    try:
        second_result = second()
        try:
            status, value = receiver.recv()
        except EOFError:
            status, value = "lost", None
    except BaseException:
        child.terminate()
        raise
    finally:
        receiver.close()
        child.join()
    if status == "failed":
        raise value
    if status == "lost":
        value = first()
    return value, second_result

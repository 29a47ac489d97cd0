"""Errors the user can act on; the CLI turns each into one line on stderr and its exit code."""


class InputError(Exception):
    """Bad input: a missing folder, a broken topics or config file, no articles, an
    unwritable output (exit code 2)."""


class DeliveryError(Exception):
    """The brief was built but the mail server did not take it (exit code 3)."""


class RunLockedError(Exception):
    """Another `briefing run` on the same output folder has not finished (exit code 4)."""

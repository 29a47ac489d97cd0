"""Errors the user can fix; the CLI turns them into one line on stderr and exit code 2."""


class InputError(Exception):
    """Bad input: a missing folder, a broken topics file, no articles, an unwritable output."""

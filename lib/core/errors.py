"""Exit statuses, and the error classes every stage raises, each carrying a one-line hint for the user."""
from enum import IntEnum


class ExitStatus(IntEnum):
    """What a run exits with: doit's own codes, which the README's table documents."""

    OK = 0  # success, nothing to do, or the setup notice
    REFUSED = 1  # a stage refused or failed: gate, expired cookie, failed export, unsafe archive, push rejected
    BUG = 2  # an unexpected error (and an interrupted run, which doit reports the same way)
    CONFIG = 3  # bad configuration or usage



class BackupError(Exception):
    """A failure the user can act on; `hint` says what to do about it."""

    hint = ""

    def __init__(self, message, hint=None):
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    def __str__(self):
        text = super().__str__()
        return f"{text} ({self.hint})" if self.hint else text


class ConfigError(BackupError):
    """Bad configuration or usage (exit 3); `problems` lists every finding."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class AuthError(BackupError):
    """Notion rejected the cookie."""

    hint = "refresh NATIVE_EXPORT_TOKEN_V2 (README: Refreshing cookies)"


class ExportError(BackupError):
    """Notion's export did not produce a usable ZIP."""


class UnsafeArchive(BackupError):
    """An archive that must not be extracted (hostile, corrupt or not a ZIP)."""


class GateRefused(BackupError):
    """The quality gate refused to promote a snapshot."""


class PublishError(BackupError):
    """The snapshot could not be committed or pushed."""

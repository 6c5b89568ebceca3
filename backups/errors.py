"""What a backup or a restore refuses; every message is shown to the operator as it is (Chinese)."""

from __future__ import annotations


class BackupError(Exception):
    """A backup or restore that did not happen; nothing was written."""


class UnknownUnit(BackupError):
    pass


class ArchiveCorrupted(BackupError):
    """The archive cannot be read, holds something it should not, or a checksum does not match."""


class TargetExists(BackupError):
    """The unit code, schema or media folder a restore would write is taken."""


class RestoreRefused(BackupError):
    """The restore would break a rule of the platform (a domain, a name, a newer schema)."""

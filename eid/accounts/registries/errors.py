"""Registry errors (leaves of the accounts tree)."""
from __future__ import annotations

from eid.accounts.errors import AccountsError


class RegistryError(AccountsError):
    """Root of the registry errors. Never raised directly."""


class RegistryUnavailable(RegistryError):
    error = "registry_unavailable"
    status = 503
    message = "The national registry cannot be reached right now. Please try again shortly."


class ImportRejected(RegistryError):
    error = "import_rejected"
    message = "The import file has an invalid row; nothing was imported."

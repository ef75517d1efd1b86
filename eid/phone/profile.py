"""The phone's keystore stand-in: ``--profile DIR`` holds the device key (0600),
the tokens and any pending QR-login transaction, as JSON files."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from joserfc.jwk import ECKey


class Profile:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)

    def _path(self, name: str) -> Path:
        return self.root / f"{name}.json"

    def load(self, name: str) -> dict[str, Any]:
        p = self._path(name)
        return dict(json.loads(p.read_text())) if p.exists() else {}

    def save(self, name: str, data: dict[str, Any]) -> None:
        p = self._path(name)
        tmp = p.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False))
        os.chmod(tmp, 0o600)
        tmp.replace(p)

    def delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)

    def device_key(self, create: bool = False) -> ECKey | None:
        data = self.load("device_key")
        if data:
            return ECKey.import_key(data)
        if not create:
            return None
        key = ECKey.generate_key("P-256")
        self.save("device_key", key.as_dict(private=True))
        return key

    def pending_key(self) -> ECKey:
        """A new key made for activation; it becomes the device key once the server accepts it."""
        data = self.load("pending_key")
        if data:
            return ECKey.import_key(data)
        key = ECKey.generate_key("P-256")
        self.save("pending_key", key.as_dict(private=True))
        return key

    def promote_pending_key(self) -> None:
        data = self.load("pending_key")
        self.save("device_key", data)
        self.delete("pending_key")

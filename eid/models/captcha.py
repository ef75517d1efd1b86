"""Captcha challenges: only an HMAC of the answer (and, in development, the answer)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from eid.models.base import Base
from eid.models.types import UtcDateTime


class CaptchaChallenge(Base):
    __tablename__ = "captcha_challenge"

    id: Mapped[str] = mapped_column(String(43), primary_key=True)
    answer_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used: Mapped[bool] = mapped_column(Boolean, default=False)
    dev_answer: Mapped[str | None] = mapped_column(String(12))

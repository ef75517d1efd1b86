"""Tables of the embedded registries (synthetic, seeded by ``flask registry seed``)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from eid.models.base import Base


class RegistryCitizen(Base):
    __tablename__ = "registry_citizen"

    id_number: Mapped[str] = mapped_column(String(12), primary_key=True)
    old_id_number: Mapped[str | None] = mapped_column(String(9), index=True)
    full_name: Mapped[str] = mapped_column(String(200), index=True)
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1))
    nationality: Mapped[str] = mapped_column(String(60))
    ethnicity: Mapped[str] = mapped_column(String(60))
    religion: Mapped[str] = mapped_column(String(60))
    hometown: Mapped[str] = mapped_column(String(300))
    permanent_address: Mapped[str] = mapped_column(String(300))
    postal_code: Mapped[str | None] = mapped_column(String(12))
    issue_date: Mapped[date | None] = mapped_column(Date)
    expiry_date: Mapped[date | None] = mapped_column(Date)
    father_id: Mapped[str | None] = mapped_column(String(12), index=True)
    mother_id: Mapped[str | None] = mapped_column(String(12), index=True)
    guardian_id: Mapped[str | None] = mapped_column(String(12), index=True)
    spouse: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    email: Mapped[str | None] = mapped_column(String(254))


class RegistrySubscriber(Base):
    """A mobile line and the ID number it is registered to ("thuê bao chính chủ")."""

    __tablename__ = "registry_subscriber"

    phone: Mapped[str] = mapped_column(String(20), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(12), index=True)
    operator: Mapped[str] = mapped_column(String(30))


class RegistryCompany(Base):
    __tablename__ = "registry_company"

    company_id: Mapped[str] = mapped_column(String(13), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    legal_representative_id: Mapped[str] = mapped_column(String(12), index=True)
    address: Mapped[str] = mapped_column(String(300))

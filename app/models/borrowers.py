"""Borrowers and the ways to reach them."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime, time

from sqlalchemy import Date, ForeignKey, Index, String, Text, Time, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Synced, UUIDKey, str_enum
from app.models.types import UTCDateTime, utcnow


class ContactKind(enum.StrEnum):
    MOBILE = "mobile"
    HOME = "home"
    WORK = "work"
    EMAIL = "email"
    EMERGENCY = "emergency"
    # A postal address learned by collection (on a call, on a visit): where a visit goes.
    ADDRESS = "address"

    @property
    def is_third_party(self) -> bool:
        return self is ContactKind.EMERGENCY

    @property
    def is_phone(self) -> bool:
        return self not in (ContactKind.EMAIL, ContactKind.ADDRESS)


# The account-level flags that stop or pause collection (names of Borrower columns).
BORROWER_FLAGS = (
    "vulnerable",
    "dispute_open",
    "cease_requested",
    "deceased",
    "legal_referral",
    "attorney_represented",
)


class Borrower(UUIDKey, Synced, Base):
    __tablename__ = "borrowers"

    name: Mapped[str] = mapped_column(String(80))
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    date_of_birth: Mapped[date] = mapped_column(Date)
    country: Mapped[str] = mapped_column(String(2), default="CN")
    province: Mapped[str] = mapped_column(String(40))
    city: Mapped[str] = mapped_column(String(40))
    district: Mapped[str] = mapped_column(String(40))
    street: Mapped[str] = mapped_column(String(120))
    employer: Mapped[str | None] = mapped_column(String(120))

    vulnerable: Mapped[bool] = mapped_column(default=False)
    dispute_open: Mapped[bool] = mapped_column(default=False)
    cease_requested: Mapped[bool] = mapped_column(default=False)
    deceased: Mapped[bool] = mapped_column(default=False)
    legal_referral: Mapped[bool] = mapped_column(default=False)
    attorney_represented: Mapped[bool] = mapped_column(default=False)
    # A window the borrower agreed to be called in (local time), overriding quiet hours where
    # the profile allows such consent.
    agreed_window_start: Mapped[time | None] = mapped_column(Time)
    agreed_window_end: Mapped[time | None] = mapped_column(Time)
    # How the borrower asked to be contacted ("call", "sms" or "email"; None: no preference).
    preferred_channel: Mapped[str | None] = mapped_column(String(10))
    # Who represents the borrower when `attorney_represented` (the phone in E.164).
    attorney_name: Mapped[str | None] = mapped_column(String(80))
    attorney_firm: Mapped[str | None] = mapped_column(String(120))
    attorney_phone: Mapped[str | None] = mapped_column(String(20))
    # The registered address as it read when a visit found the borrower moved away from it
    # (app.services.portfolio.addresses): while the address still reads so, no visit goes there.
    # A new address from the lending system no longer matches it, and is visited again.
    address_moved_from: Mapped[str | None] = mapped_column(String(240))
    notes: Mapped[str | None] = mapped_column(Text)
    # When the retention job removed the borrower's personal data (docs/retention.md): the
    # accounts and their figures stay, nobody can be told apart by them any more.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    contact_points: Mapped[list[ContactPoint]] = relationship(
        back_populates="borrower", order_by="ContactPoint.position"
    )


class ContactPoint(UUIDKey, Synced, Base):
    __tablename__ = "contact_points"
    __table_args__ = (
        Index("ix_contact_points_value", "value"),
        # The addresses collection learned, by borrower: few, and every queue asks after them
        # for thousands of borrowers (migration 0019).
        Index(
            "ix_contact_points_learned",
            "borrower_id",
            sqlite_where=text("kind = 'address'"),
            postgresql_where=text("kind = 'address'"),
        ),
    )

    borrower_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("borrowers.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[ContactKind] = mapped_column(str_enum(ContactKind))
    # E.164 for phones ("+8613812345678"), the address for e-mail, the address on one line
    # for a postal address (its parts below).
    value: Mapped[str] = mapped_column(String(120))
    # Derived from the number by phonenumbers when it is stored (for an address: its country
    # and the zones of its province): ISO region and IANA zones (space separated), so the
    # queue never parses numbers.
    region: Mapped[str | None] = mapped_column(String(2))
    time_zones: Mapped[str] = mapped_column(String(200), default="")
    contact_name: Mapped[str | None] = mapped_column(String(80))
    relation: Mapped[str | None] = mapped_column(String(20))
    do_not_call: Mapped[bool] = mapped_column(default=False)
    # The borrower's own words when they asked not to be called on this number.
    do_not_call_words: Mapped[str | None] = mapped_column(String(500))
    # Wrong number; for an address, not (or no longer) the borrower's.
    wrong_number: Mapped[bool] = mapped_column(default=False)
    # Confirmed on a contact to be the borrower's (or the named third party's).
    verified: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Who in collection added it; None: it came from the lending system.
    added_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # A postal address's parts (kind "address").
    province: Mapped[str | None] = mapped_column(String(40))
    city: Mapped[str | None] = mapped_column(String(40))
    district: Mapped[str | None] = mapped_column(String(40))
    street: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    borrower: Mapped[Borrower] = relationship(back_populates="contact_points")

"""Words for data the workspace shows: flags, codes, products, regions, and borrowers' clocks.

Codes the business changes (dispositions, emotions, flags, escalation kinds, products) take
their words from resources/ in the UI language; values fixed by the code (contact kinds,
promise and loan states, payment channels) go through Qt's translator like any other string.
States the services word too, because their messages and the command line name them (plan
states, escalation decisions), are the services' words, translated as service messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QCoreApplication, QLocale

from app.models import EscalationDecision, PlanStatus
from app.services.common.phones import country_name
from app.services.common.reference import dispositions, emotions, load_json, products
from app.services.contact.compliance import Decision
from app.services.contact.escalations import decision_text, escalation_kinds
from app.services.plans.lifecycle import status_text
from app.ui.common.dialogs import message_text


def pick(entry: Mapping[str, Any], language: str) -> str:
    """The `zh_CN` or `en` text of a resource entry (English when a translation is missing)."""
    return str(entry.get(language) or entry["en"])


# Data labels: resources/.


@dataclass(frozen=True)
class Flag:
    code: str
    text: str
    # stop, pause, warning or ok: picks the chip's colours (`app.ui.common.look.chip`).
    tone: str


@cache
def _flags() -> dict[str, Any]:
    return dict(load_json("flags.json"))


def _flag(section: str, code: str, language: str) -> Flag:
    entry = _flags()[section].get(code)
    if entry is None:
        # A flag added to the schema before its label still shows, and loudly.
        return Flag(code, code.replace("_", " "), "stop")
    return Flag(code, pick(entry, language), str(entry.get("tone", "stop")))


def borrower_flag(code: str, language: str) -> Flag:
    return _flag("borrower", code, language)


def point_mark(code: str, language: str) -> Flag:
    return _flag("contact_point", code, language)


def disposition_name(code: str, language: str) -> str:
    """The outcome's label; a code this version does not know shows as itself."""
    found = dispositions().get(code)
    return code if found is None else found.label(language)


def emotion_name(code: str, language: str) -> str:
    found = emotions().get(code)
    return code if found is None else found.label(language)


def product_name(code: str, language: str) -> str:
    found = products().get(code)
    return code if found is None else (found.zh_CN if language == "zh_CN" else found.en)


def escalation_name(kind: str, language: str) -> str:
    found = escalation_kinds().get(kind)
    return kind if found is None else found.text(language)


def escalation_decision_name(decision: str | None) -> str:
    """Where an escalation stands: waiting (None), or the team lead's decision, in the
    services' words (`app.services.contact.escalations.decision_text`)."""
    try:
        chosen = EscalationDecision(decision) if decision else None
    except ValueError:
        return str(decision)
    return message_text(decision_text(chosen))


def decision_reason(decision: Decision, language: str) -> str:
    return (decision.reason_zh if language == "zh_CN" else decision.reason) or decision.reason


def region_name(code: str | None, language: str) -> str:
    """A phone number's country in the UI language (`CN` → China / 中国)."""
    if not code:
        return ""
    territory = QLocale.codeToTerritory(code)
    if territory == QLocale.Country.AnyTerritory:
        return code
    if language == "zh_CN":
        # Qt only knows a territory's Chinese name where a Chinese locale exists for it.
        local = QLocale(QLocale.Language.Chinese, QLocale.Script.SimplifiedHanScript, territory)
        if local.territory() == territory:
            return local.nativeTerritoryName()
        # Elsewhere (美国, 英国…) the phone-number library's Chinese names.
        named = country_name(code, language)
        if named:
            return named
    return QLocale.territoryToString(territory)


# Words fixed by the code: Qt's translator.


def contact_kind_name(kind: str) -> str:
    names = {
        "mobile": QCoreApplication.translate("Labels", "Mobile"),
        "home": QCoreApplication.translate("Labels", "Home"),
        "work": QCoreApplication.translate("Labels", "Work"),
        "email": QCoreApplication.translate("Labels", "E-mail"),
        "emergency": QCoreApplication.translate("Labels", "Emergency contact"),
        "address": QCoreApplication.translate("Labels", "Address"),
    }
    return names.get(kind, kind)


def promise_status_name(status: str) -> str:
    names = {
        "pending": QCoreApplication.translate("Labels", "pending"),
        "kept": QCoreApplication.translate("Labels", "kept"),
        "partly_kept": QCoreApplication.translate("Labels", "partly kept"),
        "broken": QCoreApplication.translate("Labels", "broken"),
    }
    return names.get(status, status)


def plan_status_name(status: str) -> str:
    """The status of a repayment plan (`app.models.PlanStatus`) in the services' words
    (`app.services.plans.lifecycle.status_text`), which their messages use too."""
    try:
        return message_text(status_text(PlanStatus(status)))
    except ValueError:
        return status


def plan_kind_name(kind: str) -> str:
    """A plan kind (`app.services.plans.offers.KINDS`)."""
    names = {
        "full": QCoreApplication.translate("Labels", "Pay in full"),
        "instalments": QCoreApplication.translate("Labels", "Instalments"),
        "settlement": QCoreApplication.translate("Labels", "Settlement"),
    }
    return names.get(kind, kind)


def plan_frequency_name(frequency: str) -> str:
    """How often instalments fall due (`app.services.plans.offers.FREQUENCIES`)."""
    names = {
        "weekly": QCoreApplication.translate("Labels", "Weekly"),
        "biweekly": QCoreApplication.translate("Labels", "Every two weeks"),
        "monthly": QCoreApplication.translate("Labels", "Monthly"),
    }
    return names.get(frequency, frequency)


def payment_channel_name(channel: str) -> str:
    names = {
        "bank_transfer": QCoreApplication.translate("Labels", "bank transfer"),
        "alipay": QCoreApplication.translate("Labels", "Alipay"),
        "wechat_pay": QCoreApplication.translate("Labels", "WeChat Pay"),
        "card": QCoreApplication.translate("Labels", "card"),
        "cash": QCoreApplication.translate("Labels", "cash"),
        "other": QCoreApplication.translate("Labels", "other"),
    }
    return names.get(channel, channel)


def payment_state_name(state: str) -> str:
    """Whether a payment is in the lending system's books (`accounts._timeline`)."""
    names = {
        "received": QCoreApplication.translate("Labels", "received"),
        "reversed": QCoreApplication.translate("Labels", "reversed by the lender"),
        "reported": QCoreApplication.translate("Labels", "reported by the borrower"),
    }
    return names.get(state, state)


def contact_channel_name(channel: str) -> str:
    names = {
        "call": QCoreApplication.translate("Labels", "Call"),
        "sms": QCoreApplication.translate("Labels", "SMS"),
        "email": QCoreApplication.translate("Labels", "E-mail"),
        "visit": QCoreApplication.translate("Labels", "Visit"),
    }
    return names.get(channel, channel)


def role_name(role: str) -> str:
    """A user's role (`app.models.Role`)."""
    names = {
        "collector": QCoreApplication.translate("Labels", "Collector"),
        "field_agent": QCoreApplication.translate("Labels", "Field agent"),
        "team_lead": QCoreApplication.translate("Labels", "Team lead"),
        "admin": QCoreApplication.translate("Labels", "Administrator"),
    }
    return names.get(role, role)


def loan_status_name(status: str) -> str:
    names = {
        "active": QCoreApplication.translate("Labels", "Active"),
        "settled": QCoreApplication.translate("Labels", "Settled"),
        "written_off": QCoreApplication.translate("Labels", "Written off"),
    }
    return names.get(status, status)


# Borrowers' clocks.


def _zone(key: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def zone_times(zones: Iterable[str], at: datetime) -> list[tuple[str, tuple[str, ...]]]:
    """`[("09:05", ("Asia/Shanghai",)), …]`: each distinct local time with the zones showing it.

    Zones that read the same clock are merged, so a borrower in one place shows one time.
    """
    found: dict[str, list[str]] = {}
    for key in dict.fromkeys(zones):
        zone = _zone(key)
        if zone is not None:
            found.setdefault(at.astimezone(zone).strftime("%H:%M"), []).append(key)
    return [(clock, tuple(keys)) for clock, keys in found.items()]


def local_time_text(zones: Iterable[str], at: datetime) -> str:
    """`09:05`, or `09:05 / 08:05` where a number spans zones; empty when none is known."""
    return " / ".join(clock for clock, _ in zone_times(zones, at))


def spoken(caption: str, value: str) -> str:
    """`Principal: ¥1,200.00`: an accessible name that carries the value a label shows."""
    return QCoreApplication.translate("Labels", "{caption}: {value}").format(
        caption=caption, value=value
    )


def duration_text(seconds: int | None) -> str:
    """m:ss, or nothing when not timed."""
    if seconds is None:
        return ""
    return f"{seconds // 60}:{seconds % 60:02d}"

"""What the status bar says when nothing on this computer dials a number (the demo, a desk with
no softphone): once a session, without a message box, with a link to the dial template.

The call timer still runs, so the collector dials by hand and records the outcome as usual.
"""

from __future__ import annotations

import html
from urllib.parse import urlsplit

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QWidget

from app.ui.common.dialogs import Dialogs
from app.ui.common.look import Ink, paint

# The links in the notice.
SETTINGS_LINK = "settings"
HIDE_LINK = "hide"


def notice_key(url: str) -> str:
    """What is said once a session: nothing handles this kind of address (tel:, sip:, …);
    `url` may be the dial template itself."""
    return f"dial:{urlsplit(url).scheme}"


class DialNotice(QLabel):
    """Hidden until a dial finds nothing to hand the number to. Emits `settings_requested` when
    the collector follows the link to the dial template."""

    settings_requested = Signal()

    def __init__(self, dialogs: Dialogs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dialogs = dialogs
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        paint(self, Ink.WARNING)
        self.setWordWrap(True)
        self.linkActivated.connect(self._link)
        self.hide()

    def cannot_dial(self, url: str, number: str) -> bool:
        """Say that nothing handles `url`, unless it was said already this session; whether
        it was said now."""
        if not self.dialogs.first_time(notice_key(url)):
            return False
        text = self.tr(
            "Nothing on this computer handles “{url}”: dial {number} by hand, the call timer is"
            " running."
        ).format(url=url, number=number)
        link = self.tr("Set the dial template…")
        hide = self.tr("Hide")
        self.setText(
            f'{html.escape(text)} <a href="{SETTINGS_LINK}">{html.escape(link)}</a>'
            f' · <a href="{HIDE_LINK}">{html.escape(hide)}</a>'
        )
        self.setAccessibleName(f"{text} {link}")
        self.show()
        return True

    def _link(self, target: str) -> None:
        self.hide()
        if target == SETTINGS_LINK:
            self.settings_requested.emit()

"""An attachment's name: a bare file name, whatever a hostile one holds (property tests)."""

from __future__ import annotations

import unicodedata
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.services.common.attachments import (
    AttachmentView,
    Purpose,
    check_name,
    saved_name,
)
from app.services.common.errors import InvalidInput, Localized

UNSAFE = {"Cc", "Cf", "Zl", "Zp"}


def _safe(name: str) -> bool:
    return (
        name.strip() not in ("", ".", "..")
        and name == name.strip()
        and "/" not in name
        and "\\" not in name
        and len(name) <= 200
        and not any(unicodedata.category(char) in UNSAFE for char in name)
    )


@given(st.text(max_size=220))
def test_a_name_is_taken_exactly_when_it_is_a_bare_printable_file_name(name: str) -> None:
    if _safe(name):
        assert check_name(name) == name
    else:
        with pytest.raises(InvalidInput) as caught:
            check_name(name)
        # One line, and no control character of the name reaches it.
        assert "\n" not in caught.value.message
        assert not any(unicodedata.category(c) == "Cc" for c in caught.value.message)


@given(
    st.text(min_size=1, max_size=60).filter(_safe),
    st.sampled_from(["image/jpeg", "image/png", "application/pdf"]),
)
def test_a_saved_copy_stays_in_its_folder_and_is_named_for_what_it_is(
    name: str, media: str
) -> None:
    view = AttachmentView(
        uuid.uuid4(), uuid.uuid4(), "C1", "visit", uuid.uuid4(),
        Purpose("other", Localized("Other", "其他")), name, media, 1, "0" * 64, False, "a",
        datetime.now(UTC),
    )  # fmt: skip
    saved = saved_name(view)
    folder = Path("/tmp/attachments")
    assert (folder / saved).parent == folder
    assert saved.endswith(
        {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}[media]
    )

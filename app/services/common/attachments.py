"""Files attached to something of an account (a visit's photos, a dispute's evidence).

A file is taken only whole and only as what its bytes say it is: a JPEG, PNG or PDF by its
first bytes (never by its name), not empty, within the size in resources/attachment_policy.json,
under a bare file name (no folder, no control character). A photo's location (GPS) metadata is
taken out before it is stored, unless the lender's policy keeps it. The bytes are stored in the
database, once per account and SHA-256, in the same transaction as the attachment's row: a
crash leaves the attachment whole or not there at all. The kinds' own services
(app.services.field.attachments for visits) check the subject and who may attach to it.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
import uuid
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.database import Database
from app.models import Attachment, AttachmentContent, Loan, User
from app.services.common.audit import audit
from app.services.common.errors import InvalidInput, Localized, NotFound
from app.services.common.files import move_into_place, write_beside
from app.services.common.reference import load_json

# The longest file name kept (the column's width).
NAME_LENGTH = 200
# The EXIF pointer to a photo's GPS block.
GPS_IFD = 0x8825


@dataclass(frozen=True)
class Purpose:
    code: str
    label: Localized


@dataclass(frozen=True)
class AttachmentPolicy:
    max_bytes: int
    # media type -> the bytes a file of it begins with, and the suffix a saved copy gets
    types: dict[str, tuple[bytes, str]]
    keep_location: bool
    # kind -> what a file attached to it may show
    kinds: dict[str, tuple[Purpose, ...]]

    def purpose(self, kind: str, code: str) -> Purpose:
        for purpose in self.kinds.get(kind, ()):
            if purpose.code == code:
                return purpose
        raise InvalidInput(
            "Unknown purpose “{purpose}”; one of: {known}.",
            purpose=code,
            known=", ".join(p.code for p in self.kinds.get(kind, ())),
        ).at("purpose")


@cache
def attachment_policy() -> AttachmentPolicy:
    data = load_json("attachment_policy.json")
    return AttachmentPolicy(
        max_bytes=int(data["max_bytes"]),
        types={
            media: (bytes.fromhex(spec["magic"]), str(spec["suffix"]))
            for media, spec in data["types"].items()
        },
        keep_location=bool(data["keep_location"]),
        kinds={
            kind: tuple(
                Purpose(p["code"], Localized(p["en"], p["zh_CN"])) for p in spec["purposes"]
            )
            for kind, spec in data["kinds"].items()
        },
    )


@dataclass(frozen=True)
class AttachmentView:
    id: uuid.UUID
    loan_id: uuid.UUID
    contract_no: str
    subject_kind: str
    subject_id: uuid.UUID
    purpose: Purpose
    file_name: str
    media_type: str
    size: int
    sha256: str
    location_kept: bool
    added_by: str
    added_at: datetime


@dataclass(frozen=True)
class Checked:
    """A file as it will be stored: its bytes (a photo's location taken out), type and name."""

    data: bytes
    media_type: str
    file_name: str
    location_kept: bool

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def check_name(name: str) -> str:
    """A file's name as an attachment keeps it: a bare name, nothing a folder or a terminal
    would read as more."""
    if name.strip() in ("", ".", ".."):
        raise InvalidInput("A file's name is needed.").at("file")
    if any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in name):
        raise InvalidInput(
            "The file's name {name} has control characters; rename the file first.",
            name=ascii(name),
        ).at("file")
    if "/" in name or "\\" in name or name != name.strip():
        raise InvalidInput(
            "The file's name {name} is not a bare file name (no folder, no leading or trailing"
            " spaces).",
            name=name,
        ).at("file")
    if len(name) > NAME_LENGTH:
        raise InvalidInput(
            "The file's name is longer than {limit} characters.", limit=NAME_LENGTH
        ).at("file")
    return name


def media_type(data: bytes) -> str | None:
    """What the bytes say the file is (a type the policy takes), or None."""
    for media, (magic, _suffix) in attachment_policy().types.items():
        if data.startswith(magic):
            return media
    return None


def check_file(data: bytes, name: str) -> Checked:
    """The file as it will be stored, or one clear refusal: empty, too large, not a JPEG, PNG
    or PDF by its content, a name that is no bare file name, a photo that does not decode."""
    policy = attachment_policy()
    name = check_name(name)
    if not data:
        raise InvalidInput("The file {name} is empty.", name=name).at("file")
    if len(data) > policy.max_bytes:
        raise InvalidInput(
            "The file {name} is {size} bytes; an attachment is at most {limit} bytes.",
            name=name,
            size=len(data),
            limit=policy.max_bytes,
        ).at("file")
    found = media_type(data)
    if found is None:
        raise InvalidInput(
            "The file {name} is not a JPEG, PNG or PDF file (by its content, whatever its name).",
            name=name,
        ).at("file")
    kept = policy.keep_location
    if found.startswith("image/"):
        data = _without_location(data, name, found, keep=kept)
        if len(data) > policy.max_bytes:
            raise InvalidInput(
                "The file {name} is {size} bytes; an attachment is at most {limit} bytes.",
                name=name,
                size=len(data),
                limit=policy.max_bytes,
            ).at("file")
    return Checked(data, found, name, kept and found.startswith("image/"))


def _without_location(data: bytes, name: str, media: str, *, keep: bool) -> bytes:
    """A photo that decodes, its location (the EXIF GPS block, XMP) taken out unless kept; the
    bytes as they came when there is none."""
    # Loaded here: the window and the commands start without the imaging library.
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image.load()
    except (
        OSError,
        SyntaxError,
        ValueError,
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise InvalidInput("The photo {name} cannot be read as an image.", name=name).at(
            "file"
        ) from None
    if keep:
        return data
    exif = image.getexif()
    xmp = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp")
    if GPS_IFD not in exif and not xmp:
        return data
    if GPS_IFD in exif:
        del exif[GPS_IFD]
    out = io.BytesIO()
    if media == "image/jpeg":
        image.save(out, format="JPEG", quality="keep", exif=exif.tobytes())
    else:
        image.save(out, format="PNG", exif=exif.tobytes())
    return out.getvalue()


def read_file(path: Path) -> tuple[bytes, str]:
    """A file's bytes and its name, refused in one line before a byte is read if it is not a
    file or is larger than an attachment may be."""
    name = path.name
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise InvalidInput("{path} is not a file.", path=str(path)).at("file")
        if size > attachment_policy().max_bytes:
            raise InvalidInput(
                "The file {name} is {size} bytes; an attachment is at most {limit} bytes.",
                name=name,
                size=size,
                limit=attachment_policy().max_bytes,
            ).at("file")
        with path.open("rb") as stream:
            data = stream.read(attachment_policy().max_bytes + 1)
    except FileNotFoundError:
        raise NotFound("There is no file {path}.", path=str(path)).at("file") from None
    except OSError as error:
        raise InvalidInput(
            "Cannot read {path}: {reason}.", path=str(path), reason=error.strerror or str(error)
        ).at("file") from None
    return data, name


def add_attachment(
    session: Session,
    user: User,
    loan: Loan,
    kind: str,
    subject_id: uuid.UUID,
    purpose: str,
    checked: Checked,
    now: datetime,
) -> Attachment:
    """The attachment and its bytes (unless the account has them already), with its audit
    event, in the caller's unit of work: all of it commits, or none."""
    attachment_policy().purpose(kind, purpose)
    sha = checked.sha256
    if session.get(AttachmentContent, (loan.id, sha)) is None:
        session.add(
            AttachmentContent(
                loan_id=loan.id, sha256=sha, size=len(checked.data), content=checked.data
            )
        )
    row = Attachment(
        loan_id=loan.id,
        subject_kind=kind,
        subject_id=subject_id,
        purpose=purpose,
        file_name=checked.file_name,
        media_type=checked.media_type,
        size=len(checked.data),
        sha256=sha,
        location_kept=checked.location_kept,
        added_by_id=user.id,
        added_at=now.astimezone(UTC),
    )
    session.add(row)
    session.flush()
    audit(
        session,
        "attachment.added",
        "loan",
        loan.id,
        {"attachment": str(row.id), "kind": kind, "subject": str(subject_id), "sha256": sha},
        user_id=user.id,
    )
    return row


def views(session: Session, rows: list[Attachment]) -> list[AttachmentView]:
    """The rows as a window or a command shows them, oldest first."""
    policy = attachment_policy()
    names = {
        user.id: user.username
        for user in session.scalars(select(User).where(User.id.in_({r.added_by_id for r in rows})))
    }
    contracts = {
        loan.id: loan.contract_no
        for loan in session.scalars(select(Loan).where(Loan.id.in_({r.loan_id for r in rows})))
    }
    found = []
    for row in sorted(rows, key=lambda r: (r.added_at, r.file_name)):
        try:
            purpose = policy.purpose(row.subject_kind, row.purpose)
        except InvalidInput:
            purpose = Purpose(row.purpose, Localized(row.purpose, row.purpose))
        found.append(
            AttachmentView(
                id=row.id,
                loan_id=row.loan_id,
                contract_no=contracts.get(row.loan_id, ""),
                subject_kind=row.subject_kind,
                subject_id=row.subject_id,
                purpose=purpose,
                file_name=row.file_name,
                media_type=row.media_type,
                size=row.size,
                sha256=row.sha256,
                location_kept=row.location_kept,
                added_by=names.get(row.added_by_id, ""),
                added_at=row.added_at,
            )
        )
    return found


def content_of(session: Session, row: Attachment) -> bytes:
    content = session.get(AttachmentContent, (row.loan_id, row.sha256))
    if content is None:  # never: the row and its bytes are written together
        raise NotFound("The content of {name} is not in this copy.", name=row.file_name)
    return content.content


def saved_name(view: AttachmentView) -> str:
    """The name a copy of the attachment gets in a folder: its own, made unique by the start of
    its id, the suffix its type has (a saved file is never named as something it is not)."""
    name = check_name(view.file_name)
    suffix = attachment_policy().types[view.media_type][1]
    stem = Path(name).stem if Path(name).suffix.lower() in (suffix, ".jpeg") else name
    return f"{str(view.id)[:8]}-{stem}{suffix}"


def save_copies(db: Database, found: list[AttachmentView], folder: Path) -> list[Path]:
    """Each attachment written whole into `folder` (which must exist), under `saved_name`,
    never over a file already there; the paths written."""
    if not folder.is_dir():
        raise InvalidInput("The folder {folder} does not exist.", folder=str(folder))
    written: list[Path] = []
    with db.reader() as session:
        for view in found:
            out = folder / saved_name(view)
            if out.parent != folder:  # never: saved_name is a bare name
                raise InvalidInput("{path} is outside {folder}.", path=str(out), folder=str(folder))
            if out.exists():
                raise InvalidInput(
                    "{path} is there already; save into another folder.", path=str(out)
                )
            data = content_of(session, session.get_one(Attachment, view.id))
            move_into_place(write_beside(out, data), out)
            written.append(out)
    return written

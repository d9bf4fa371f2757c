"""The SQLAlchemy mapping of a collection portfolio. No Qt here."""

from app.models.activity import (
    AccountNote,
    AuditEvent,
    Callback,
    Channel,
    ContactAttempt,
    Escalation,
    EscalationDecision,
    FieldVisit,
    PlanInstalment,
    PlanPauseOverride,
    PlanStatus,
    PromiseStatus,
    PromiseToPay,
    RepaymentPlan,
    VisitRequest,
    VisitStatus,
)
from app.models.attachments import Attachment, AttachmentContent
from app.models.base import Base
from app.models.borrowers import BORROWER_FLAGS, Borrower, ContactKind, ContactPoint
from app.models.cases import Complaint, DisputeCase, DisputeDecision
from app.models.documents import IssuedDocument
from app.models.experiments import Experiment, ExperimentAssignment
from app.models.feed import FeedBatch, FeedStatus
from app.models.legal import LegalCase, LegalStep, LegalStepKind
from app.models.loans import (
    Instalment,
    Loan,
    LoanStatus,
    Payment,
    ReportedPayment,
    counted,
)
from app.models.people import Role, Team, User
from app.models.queue_memo import QueueMemo, QueueStamp
from app.models.queue_summary import LoanQueueSummary, QueueSummaryCode
from app.models.reminders import (
    CreditNotice,
    MessageStatus,
    ReminderMessage,
    ReminderOptOut,
)
from app.models.review import CallReview, ContactBlock, PriorityOverride
from app.models.scorecards import ScorecardChoice, StoredScorecard
from app.models.sync import (
    OutboxEntry,
    SyncClock,
    SyncConflict,
    SyncMark,
    SyncOutcome,
    SyncPause,
    SyncState,
    SyncWorkstation,
)

__all__ = [
    "BORROWER_FLAGS",
    "AccountNote",
    "Attachment",
    "AttachmentContent",
    "AuditEvent",
    "Base",
    "Borrower",
    "CallReview",
    "Callback",
    "Channel",
    "Complaint",
    "ContactAttempt",
    "ContactBlock",
    "ContactKind",
    "ContactPoint",
    "CreditNotice",
    "DisputeCase",
    "DisputeDecision",
    "Escalation",
    "EscalationDecision",
    "Experiment",
    "ExperimentAssignment",
    "FeedBatch",
    "FeedStatus",
    "FieldVisit",
    "Instalment",
    "IssuedDocument",
    "LegalCase",
    "LegalStep",
    "LegalStepKind",
    "Loan",
    "LoanQueueSummary",
    "LoanStatus",
    "MessageStatus",
    "OutboxEntry",
    "Payment",
    "PlanInstalment",
    "PlanPauseOverride",
    "PlanStatus",
    "PriorityOverride",
    "PromiseStatus",
    "PromiseToPay",
    "QueueMemo",
    "QueueStamp",
    "QueueSummaryCode",
    "ReminderMessage",
    "ReminderOptOut",
    "RepaymentPlan",
    "ReportedPayment",
    "Role",
    "ScorecardChoice",
    "StoredScorecard",
    "SyncClock",
    "SyncConflict",
    "SyncMark",
    "SyncOutcome",
    "SyncPause",
    "SyncState",
    "SyncWorkstation",
    "Team",
    "User",
    "VisitRequest",
    "VisitStatus",
    "counted",
]

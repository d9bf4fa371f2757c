"""plan lifecycle and field visits

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 20:43:12.898804

Repayment plans get the figures their agreement is printed from, the lead's decision and the
dates of their lifecycle (draft → pending approval → approved/rejected → issued → active →
completed/broken/cancelled); the old "proposed" status becomes "draft" and an approval made
before becomes the decision. Field visits get their place in the route, the reason, the
emotion and checklist of the outcome; promises can come from a visit; a lead can mark an
account for a visit. New NOT NULL columns get a server default so rows already there keep
working on SQLite and PostgreSQL alike.

Columns are added and dropped in place (SQLite 3.35+ drops a column without a foreign key),
not through a batch rebuild: rebuilding repayment_plans or field_visits would drop the table
under the rows that reference it (plan instalments, visit requests), which SQLite's foreign
keys refuse. So the decision keeps 0001's approved_by_id and approved_at columns. Only
promises, which nothing references, is rebuilt to gain its foreign key to the visit.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "visit_requests",
        sa.Column("loan_id", sa.Uuid(), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("requested_at", app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("visit_id", sa.Uuid(), nullable=True),
        sa.Column("closed_at", app.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_visit_requests_loan_id_loans")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_visit_requests_requested_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["field_visits.id"],
            name=op.f("fk_visit_requests_visit_id_field_visits"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_requests")),
    )
    op.create_index("ix_visit_requests_loan", "visit_requests", ["loan_id", "closed_at"])

    for column in _visit_columns():
        op.add_column("field_visits", column)
    for column in _plan_columns():
        op.add_column("repayment_plans", column)

    with op.batch_alter_table("promises", schema=None) as batch_op:
        batch_op.add_column(sa.Column("visit_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_promises_visit_id_field_visits"), "field_visits", ["visit_id"], ["id"]
        )

    plans = sa.table("repayment_plans", sa.column("status", sa.String))
    op.execute(plans.update().where(plans.c.status == "proposed").values(status="draft"))


def downgrade() -> None:
    # Statuses 0002 did not know fall back to the nearest one it did.
    plans = sa.table("repayment_plans", sa.column("status", sa.String))
    op.execute(
        plans.update().where(plans.c.status.in_(("draft", "rejected"))).values(status="proposed")
    )
    op.execute(
        plans.update().where(plans.c.status.in_(("approved", "issued"))).values(status="active")
    )
    op.drop_index("ix_visit_requests_loan", table_name="visit_requests")
    op.drop_table("visit_requests")
    with op.batch_alter_table("promises", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_promises_visit_id_field_visits"), type_="foreignkey"
        )
        batch_op.drop_column("visit_id")
    for column in reversed(_plan_columns()):
        op.drop_column("repayment_plans", column.name)
    for column in reversed(_visit_columns()):
        op.drop_column("field_visits", column.name)


def _visit_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("route_position", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("planned_at", app.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("emotion", sa.String(length=20), nullable=True),
        sa.Column("checklist", sa.JSON(), nullable=False, server_default="[]"),
    ]


def _plan_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("kind", sa.String(length=12), nullable=False, server_default="instalments"),
        sa.Column("currency", sa.String(length=3), nullable=False, server_default="CNY"),
        sa.Column("offered_on", sa.Date(), nullable=True),
        sa.Column(
            "overdue_principal",
            app.models.types.Money(precision=14, scale=2),
            nullable=False,
            server_default="0",
        ),
        sa.Column(
            "overdue_interest",
            app.models.types.Money(precision=14, scale=2),
            nullable=False,
            server_default="0",
        ),
        sa.Column(
            "overdue_penalty",
            app.models.types.Money(precision=14, scale=2),
            nullable=False,
            server_default="0",
        ),
        sa.Column(
            "overdue_fees",
            app.models.types.Money(precision=14, scale=2),
            nullable=False,
            server_default="0",
        ),
        sa.Column(
            "discount",
            app.models.types.Money(precision=14, scale=2),
            nullable=False,
            server_default="0",
        ),
        sa.Column("breaches", sa.JSON(), nullable=False, server_default="[]"),
        sa.Column("decision_reason", sa.String(length=500), nullable=True),
        sa.Column("agreement_date", sa.Date(), nullable=True),
        sa.Column("agreement_terms", sa.Text(), nullable=True),
        sa.Column("issued_at", app.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("activated_at", app.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", app.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "down_payment_paid",
            app.models.types.Money(precision=14, scale=2),
            nullable=False,
            server_default="0",
        ),
    ]

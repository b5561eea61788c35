"""document versions: a document may be a new version of an earlier one; decisions carried over

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 15:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("previous_version_id", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch.create_index("ix_documents_previous_version_id", ["previous_version_id"])
    with op.batch_alter_table("reviews") as batch:
        batch.add_column(sa.Column("carried_from", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.drop_column("carried_from")
    with op.batch_alter_table("documents") as batch:
        batch.drop_index("ix_documents_previous_version_id")
        batch.drop_column("version")
        batch.drop_column("previous_version_id")

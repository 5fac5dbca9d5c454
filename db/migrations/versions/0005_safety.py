"""safety: pain by body region and how much; the entry check on the profile

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.add_column(sa.Column('region', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.add_column(sa.Column('pain_level', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True))

    with op.batch_alter_table('patient_profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('safety_answers', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('safety_checked_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('patient_profile', schema=None) as batch_op:
        batch_op.drop_column('safety_checked_at')
        batch_op.drop_column('safety_answers')

    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.drop_column('pain_level')
        batch_op.drop_column('region')

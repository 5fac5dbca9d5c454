"""the instant a prompt's local day ends, so the sweep of ended days touches only prompts whose
day has ended (an index on status and that instant), not every prompt sent today

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('sent_prompt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('day_ends_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_sent_prompt_day_end', ['status', 'day_ends_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sent_prompt', schema=None) as batch_op:
        batch_op.drop_index('ix_sent_prompt_day_end')
        batch_op.drop_column('day_ends_at')

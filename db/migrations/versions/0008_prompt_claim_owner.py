"""a claimed prompt or digest names the instance that claimed it, so another can take it over
if that instance is gone

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('sent_prompt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.BigInteger(), nullable=True))
    with op.batch_alter_table('digest_sent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('digest_sent', schema=None) as batch_op:
        batch_op.drop_column('claimed_by')
    with op.batch_alter_table('sent_prompt', schema=None) as batch_op:
        batch_op.drop_column('claimed_by')

"""the Telegram file_id of each exercise picture once uploaded, so that no instance uploads it
again (a busy morning uploads each picture once)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'picture_file',
        sa.Column('key', sa.String(length=120), nullable=False),
        sa.Column('file_id', sa.String(length=256), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )


def downgrade() -> None:
    op.drop_table('picture_file')

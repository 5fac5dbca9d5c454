"""care team: roles on links, the change log, notes and goals, alerts that wait for morning,
the monthly arm-use check

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('arm_use',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('taken_on', sa.Date(), nullable=False),
    sa.Column('item', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=True),
    sa.Column('quality', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patient_profile.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('patient_id', 'taken_on', 'item', name='uq_arm_use')
    )
    with op.batch_alter_table('arm_use', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_arm_use_patient_id'), ['patient_id'], unique=False)

    op.create_table('care_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('by_person_id', sa.Integer(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['by_person_id'], ['person.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['patient_id'], ['patient_profile.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('care_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_change_patient_id'), ['patient_id'], unique=False)

    with op.batch_alter_table('family_link', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False, server_default='family'))
        batch_op.add_column(sa.Column('alert_prefs', sa.JSON(), nullable=True))

    with op.batch_alter_table('patient_profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('care_note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch_op.add_column(sa.Column('care_note_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('care_note_shown_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('goal_minutes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('report_name_ok', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('exercise_dose', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held_by_care', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('alert_sent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('payload', sa.JSON(), nullable=True))
        batch_op.create_index('ix_alert_sent_due', ['delivered_at', 'due_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('alert_sent', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_sent_due')
        batch_op.drop_column('payload')
        batch_op.drop_column('delivered_at')
        batch_op.drop_column('due_at')

    with op.batch_alter_table('exercise_dose', schema=None) as batch_op:
        batch_op.drop_column('held_by_care')

    with op.batch_alter_table('patient_profile', schema=None) as batch_op:
        batch_op.drop_column('report_name_ok')
        batch_op.drop_column('goal_minutes')
        batch_op.drop_column('care_note_shown_at')
        batch_op.drop_column('care_note_at')
        batch_op.drop_column('care_note')

    with op.batch_alter_table('family_link', schema=None) as batch_op:
        batch_op.drop_column('alert_prefs')
        batch_op.drop_column('role')

    with op.batch_alter_table('care_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_change_patient_id'))

    op.drop_table('care_change')

    with op.batch_alter_table('arm_use', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_arm_use_patient_id'))

    op.drop_table('arm_use')

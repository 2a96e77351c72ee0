"""seed event kinds

Revision ID: c3a1f9b7e5d4
Revises: 6d2e8a4c0f17
Create Date: 2026-11-23 17:38:56.017342+00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'c3a1f9b7e5d4'
down_revision: Union[str, Sequence[str], None] = '6d2e8a4c0f17'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    event_kinds = op.create_table(
        'event_kinds',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('name', sa.String(length=50), nullable=False, unique=True),
    )
    op.bulk_insert(event_kinds, [{'id': 1, 'name': 'concert'}, {'id': 2, 'name': 'talk'}])
    op.add_column('events', sa.Column('kind_id', sa.Integer(), nullable=True))
    op.get_bind().execute(
        sa.text("UPDATE events SET kind_id = :kind WHERE title ILIKE :pattern"),
        [{'kind': 1, 'pattern': '%concert%'}, {'kind': 2, 'pattern': '%talk%'}],
    )
    op.create_foreign_key('fk_events_kind_id', 'events', 'event_kinds', ['kind_id'], ['id'])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_constraint('fk_events_kind_id', 'events', type_='foreignkey')
    op.drop_column('events', 'kind_id')
    op.drop_table('event_kinds')

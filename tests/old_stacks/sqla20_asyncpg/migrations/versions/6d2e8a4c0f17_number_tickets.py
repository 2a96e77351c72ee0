"""number tickets

Revision ID: 6d2e8a4c0f17
Revises: 0b7f5d3e1a29
Create Date: 2026-11-21 09:14:05.481120+00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '6d2e8a4c0f17'
down_revision: Union[str, Sequence[str], None] = '0b7f5d3e1a29'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute(sa.schema.CreateSequence(sa.Sequence('ticket_number_seq')))
    op.add_column(
        'events',
        sa.Column(
            'ticket_number',
            sa.BigInteger(),
            server_default=sa.text("nextval('ticket_number_seq')"),
            nullable=False,
        ),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column('events', 'ticket_number')

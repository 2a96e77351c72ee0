"""add ticket priority

Revision ID: b5d4045c3f46
Revises: 
Create Date: 2023-03-14 10:20:30.405060

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'b5d4045c3f46'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column(
        "tickets",
        sa.Column("priority", sa.SmallInteger(), server_default="3", nullable=False),
    )
    op.create_index("ix_tickets_priority_open", "tickets", ["priority"],
                    postgresql_where=sa.text("status = 'open'"))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_tickets_priority_open", table_name="tickets")
    op.drop_column("tickets", "priority")

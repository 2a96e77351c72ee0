"""ticket status as an enum

Revision ID: 7902699be42c
Revises: b5d4045c3f46
Create Date: 2023-05-02 16:45:00.112233

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '7902699be42c'
down_revision: Union[str, Sequence[str], None] = 'b5d4045c3f46'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    ticket_status = sa.Enum("open", "pending", "solved", "closed", name="ticket_status")
    ticket_status.create(op.get_bind())
    op.drop_index("ix_tickets_priority_open", table_name="tickets")
    op.alter_column("tickets", "status", server_default=None)
    op.alter_column(
        "tickets",
        "status",
        type_=ticket_status,
        existing_nullable=False,
        postgresql_using="status::ticket_status",
    )
    op.alter_column("tickets", "status", server_default="open")
    op.create_index("ix_tickets_priority_open", "tickets", ["priority"],
                    postgresql_where=sa.text("status = 'open'"))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_tickets_priority_open", table_name="tickets")
    op.alter_column("tickets", "status", server_default=None)
    op.alter_column("tickets", "status", type_=sa.String(), existing_nullable=False)
    op.alter_column("tickets", "status", server_default="open")
    sa.Enum(name="ticket_status").drop(op.get_bind())
    op.create_index("ix_tickets_priority_open", "tickets", ["priority"],
                    postgresql_where=sa.text("status = 'open'"))

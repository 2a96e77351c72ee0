"""create people and teams

Revision ID: 0001
Revises: 
"""
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

def upgrade() -> None:
    op.create_table(
        "employees",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("manager_id", sa.Integer(), sa.ForeignKey("employees.id")),
    )
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("lead_id", sa.Integer()),
    )
    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.Integer(), sa.ForeignKey("teams.id"), nullable=False),
    )
    op.create_foreign_key("teams_lead_id_fkey", "teams", "members", ["lead_id"], ["id"])
    op.create_table(
        "nodes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("partner_id", sa.Integer(), nullable=False),
    )
    op.create_table(
        "partners",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("node_id", sa.Integer(), nullable=False),
    )
    op.create_foreign_key(
        "nodes_partner_id_fkey", "nodes", "partners", ["partner_id"], ["id"],
        deferrable=True, initially="DEFERRED",
    )
    op.create_foreign_key(
        "partners_node_id_fkey", "partners", "nodes", ["node_id"], ["id"],
        deferrable=True, initially="DEFERRED",
    )


def downgrade() -> None:
    op.drop_constraint("partners_node_id_fkey", "partners", type_="foreignkey")
    op.drop_constraint("nodes_partner_id_fkey", "nodes", type_="foreignkey")
    op.drop_table("partners")
    op.drop_table("nodes")
    op.drop_constraint("teams_lead_id_fkey", "teams", type_="foreignkey")
    op.drop_table("members")
    op.drop_table("teams")
    op.drop_table("employees")

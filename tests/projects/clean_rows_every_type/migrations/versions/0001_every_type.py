"""every type

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
    op.execute("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')")
    op.execute("CREATE DOMAIN positive AS integer CHECK (VALUE > 0)")
    op.execute(
        """
        CREATE TABLE everything (
            id bigserial PRIMARY KEY,
            small smallint NOT NULL, whole integer, big bigint,
            exact numeric(7, 2) NOT NULL, loose numeric, single real, twice double precision,
            cash money, flag boolean NOT NULL,
            note text, short varchar(5) NOT NULL, fixed char(3),
            doc json, data jsonb NOT NULL, ident uuid NOT NULL UNIQUE,
            day date NOT NULL, at time, at_tz timetz, stamp timestamp,
            stamp_tz timestamptz NOT NULL DEFAULT now(), span interval,
            host inet, net cidr, mac macaddr, mac8 macaddr8, raw bytea, bits bit(4),
            varying_bits varbit(8), words tsvector, markup xml,
            spot point, segment lseg, area box, route path, shape polygon, ring circle,
            ints int4range, bigs int8range, nums numrange, days daterange,
            times tsrange, times_tz tstzrange,
            feeling mood NOT NULL, amount positive NOT NULL,
            tags text[] NOT NULL, scores integer[], moods mood[], stamps timestamptz[]
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE everything")
    op.execute("DROP DOMAIN positive")
    op.execute("DROP TYPE mood")

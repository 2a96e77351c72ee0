"""The application's models: a server default only PostgreSQL's dialect can compile."""

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import declarative_base
from sqlalchemy.sql.functions import FunctionElement

Base = declarative_base()


class GenerateUUID(FunctionElement):
    type = sa.Uuid()
    name = "generate_uuid"
    inherit_cache = True


@compiles(GenerateUUID, "postgresql")
def _generate_uuid(element, compiler, **kw):
    return "gen_random_uuid()"


class Order(Base):
    __tablename__ = "orders"
    id = sa.Column(sa.Integer, primary_key=True)
    quantity = sa.Column(sa.Integer, nullable=False, server_default="1")
    token = sa.Column(sa.Uuid, nullable=False, server_default=GenerateUUID())

import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Account(Base):
    __tablename__ = "accounts"

    id = sa.Column(sa.Integer, primary_key=True)
    email = sa.Column(sa.String(255), nullable=False, unique=True, index=True)
    status = sa.Column(sa.String(20), nullable=False, server_default="active")
    last_login_at = sa.Column(sa.DateTime)

from sqlalchemy.orm import DeclarativeBase
from sqlalchemy_utils import force_auto_coercion

force_auto_coercion()


class Base(DeclarativeBase):
    pass

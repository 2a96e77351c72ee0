from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from inventory.db import Base


class Item(Base):
    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(32), unique=True)

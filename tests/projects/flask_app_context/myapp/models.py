from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from myapp.extensions import db


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(120), unique=True)
    posts: Mapped[list[Post]] = relationship(back_populates="author")


class Post(db.Model):
    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str]
    published_at: Mapped[datetime] = mapped_column(server_default=func.now(), index=True)
    slug: Mapped[str | None] = mapped_column(String(200), unique=True)
    draft: Mapped[bool] = mapped_column(default=True, server_default="true")

    author: Mapped[User] = relationship(back_populates="posts")

"""A small Flask blog: the application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask

from myapp.extensions import db, migrate


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_object("myapp.config.Config")
    app.config.from_prefixed_env("BLOG")
    if overrides:
        app.config.update(overrides)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        raise RuntimeError("set BLOG_SQLALCHEMY_DATABASE_URI")

    db.init_app(app)
    migrate.init_app(app, db)

    from myapp import models  # noqa: F401  (the models, for Flask-Migrate)
    from myapp.views import blueprint

    app.register_blueprint(blueprint)
    return app

"""The shop's Flask application."""

import os

from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
migrate = Migrate()


def create_app(**config):
    app = Flask(__name__)
    app.config.update(
        SQLALCHEMY_DATABASE_URI=os.environ.get("SHOP_DATABASE_URL"),
        CACHE_REDIS_URL=os.environ["SHOP_REDIS_URL"],
    )
    app.config.update(config)
    db.init_app(app)
    migrate.init_app(app, db)
    return app

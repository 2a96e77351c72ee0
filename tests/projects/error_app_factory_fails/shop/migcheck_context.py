from contextlib import contextmanager

from shop import create_app, db


@contextmanager
def app_context(url):
    app = create_app(SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        yield
        db.engine.dispose()

from app.models.poll import Choice, Poll  # noqa: F401

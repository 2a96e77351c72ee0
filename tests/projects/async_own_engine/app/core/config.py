"""Application settings, from the environment (read once, at import)."""

import os


class Settings:
    def __init__(self) -> None:
        self.project_name = os.getenv("PROJECT_NAME", "Polls")
        self.database_url = os.environ["DATABASE_URL"]
        self.echo_sql = os.getenv("ECHO_SQL", "0") == "1"


settings = Settings()

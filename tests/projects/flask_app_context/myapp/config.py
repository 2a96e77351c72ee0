class Config:
    SECRET_KEY = "dev"
    SQLALCHEMY_DATABASE_URI = None
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    POSTS_PER_PAGE = 20

from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from app.core.config import settings

engine = create_async_engine(settings.database_url, echo=settings.echo_sql, pool_pre_ping=True)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)

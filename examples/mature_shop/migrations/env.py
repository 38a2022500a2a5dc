"""Alembic environment: the URL comes from the Alembic config, which CI and pytest-dbaudit set."""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import engine_from_config, pool

from shop.models import Base

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
target_metadata = Base.metadata
# Every migration waits at most 5 s for a lock (then fails and is retried) instead of queueing all
# traffic behind it, and cannot hold its locks longer than 15 minutes.
TIMEOUTS = ("SET lock_timeout = '5s'", "SET statement_timeout = '15min'")


def set_timeouts() -> None:
    if context.get_context().dialect.name == "postgresql":
        for statement in TIMEOUTS:
            context.execute(statement)


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        set_timeouts()
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = engine_from_config(config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.",
                                     poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, transaction_per_migration=True)
        with context.begin_transaction():
            set_timeouts()
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

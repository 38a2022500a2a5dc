from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


def init(engine):
    Base.metadata.create_all(engine)

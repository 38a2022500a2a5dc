from sqlalchemy.orm import Mapped, mapped_column

class Broken(Base):
    __tablename__ = "broken"
    id: Mapped[int] = mapped_column(primary_key=True

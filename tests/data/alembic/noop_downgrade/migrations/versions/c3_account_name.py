import sqlalchemy as sa
from alembic import op

revision = "c3"
down_revision = "b2"


def upgrade():
    op.add_column("accounts", sa.Column("display_name", sa.String(100)))


def downgrade():
    op.drop_column("accounts", "display_name")

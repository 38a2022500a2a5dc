"""customer phone"""
from alembic import op
import sqlalchemy as sa

revision = "d4"
down_revision = 'b2'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("customer", sa.Column("phone", sa.Text))


def downgrade():
    raise NotImplementedError("no way back")

"""customer name"""
from alembic import op
import sqlalchemy as sa

revision = "c3"
down_revision = 'b2'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("customer", sa.Column("name", sa.Text))


def downgrade():
    op.drop_column("customer", "name")

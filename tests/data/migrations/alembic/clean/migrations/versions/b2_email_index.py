"""index customer emails"""
from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = 'a1'
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.execute("CREATE INDEX CONCURRENTLY IF NOT EXISTS customer_email ON customer (email)")


def downgrade():
    op.drop_index("customer_email", table_name="customer")

"""index customer emails"""
from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = 'a1'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE INDEX customer_email ON customer (email)")

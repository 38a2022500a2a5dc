revision = "e5"
down_revision = "c3"

def upgrade(:
    pass

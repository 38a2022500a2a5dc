import sqlalchemy as sa

fixture = sa.Table("fixture_only", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))

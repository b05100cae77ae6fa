"""The ledger's own gazetteer: places imported from GeoNames country dumps and ACLED-style CSVs
(`sitrep places import`) or set by analysts, consulted beside GeoNames when reports are coded.

Revision ID: 0006
Revises: 0005
"""

from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the places table."""
    op.create_table(
        "places",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ident", sa.String(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("alternate_names", sa.JSON(), nullable=False),
        sa.Column("country_code", sa.String(), nullable=False),
        sa.Column("admin1", sa.Text(), nullable=True),
        sa.Column("admin2", sa.Text(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("population", sa.BigInteger(), nullable=False),
        sa.Column("geonameid", sa.BigInteger(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ident"),
    )
    op.create_index("ix_places_country_code", "places", ["country_code"])


def downgrade() -> None:
    """Drop the places table."""
    op.drop_index("ix_places_country_code", table_name="places")
    op.drop_table("places")

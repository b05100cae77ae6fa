"""A range's upper end on a reported figure ("12 to 20 were killed": value 12, high 20).

Revision ID: 0007
Revises: 0006
"""

from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add figures.high (null: the figure is one number)."""
    with op.batch_alter_table("figures") as batch:
        batch.add_column(sa.Column("high", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("figures") as batch:
        batch.drop_column("high")

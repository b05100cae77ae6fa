"""What became of each stored report's coding: why it was not coded at all (a language not supported
yet), and which stages failed on part of it, so that it can be coded again later.

Revision ID: 0003
Revises: 0002
"""

from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add articles.not_coded and articles.coding_problems."""
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("not_coded", sa.Text(), nullable=True))
        batch.add_column(sa.Column("coding_problems", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Drop the two columns."""
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("coding_problems")
        batch.drop_column("not_coded")

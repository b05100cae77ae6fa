"""The feed's own id of each stored report (a JSONL record's `id`, an RSS `guid`, an Atom `id`), so that
an analyst can find the item in the outlet's feed.

Revision ID: 0004
Revises: 0003
"""

from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add articles.feed_item_id."""
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("feed_item_id", sa.Text(), nullable=True))


def downgrade() -> None:
    """Drop articles.feed_item_id."""
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("feed_item_id")

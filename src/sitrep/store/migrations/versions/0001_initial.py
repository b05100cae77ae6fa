"""The ledger as first released: articles, incidents, figures, evidence, exclusions and the
cross-report merge tables (blocking keys, term statistics, contributions, history, deletions).

Ledgers made before migrations existed have exactly this schema; `sitrep.store.migrate` stamps them
with this revision and upgrades them from here.

Revision ID: 0001
Revises:
"""

from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create every table and index of the ledger."""
    op.create_table('deletions',
    sa.Column('incident_id', sa.String(), nullable=False),
    sa.Column('replaced_by', sa.String(), nullable=True),
    sa.Column('reason', sa.String(), nullable=False),
    sa.Column('by', sa.String(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('incident_id')
    )
    with op.batch_alter_table('deletions', schema=None) as batch_op:
        batch_op.create_index('ix_deletions_at', ['at'], unique=False)

    op.create_table('incident_history',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('incident_id', sa.String(), nullable=False),
    sa.Column('action', sa.String(), nullable=False),
    sa.Column('field', sa.String(), nullable=False),
    sa.Column('old', sa.JSON(), nullable=False),
    sa.Column('new', sa.JSON(), nullable=False),
    sa.Column('article_id', sa.String(), nullable=True),
    sa.Column('by', sa.String(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('incident_history', schema=None) as batch_op:
        batch_op.create_index('ix_incident_history_at', ['at'], unique=False)
        batch_op.create_index('ix_incident_history_incident_id', ['incident_id'], unique=False)

    op.create_table('incidents',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('event_type', sa.String(), nullable=True),
    sa.Column('sub_event_type', sa.String(), nullable=True),
    sa.Column('date', sa.Date(), nullable=True),
    sa.Column('date_precision', sa.String(), nullable=True),
    sa.Column('location_name', sa.String(), nullable=True),
    sa.Column('geonameid', sa.Integer(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('country_code', sa.String(), nullable=True),
    sa.Column('admin1', sa.String(), nullable=True),
    sa.Column('admin2', sa.String(), nullable=True),
    sa.Column('location_precision', sa.String(), nullable=True),
    sa.Column('killed_low', sa.Integer(), nullable=True),
    sa.Column('killed_best', sa.Integer(), nullable=True),
    sa.Column('killed_high', sa.Integer(), nullable=True),
    sa.Column('injured_low', sa.Integer(), nullable=True),
    sa.Column('injured_best', sa.Integer(), nullable=True),
    sa.Column('injured_high', sa.Integer(), nullable=True),
    sa.Column('claimed_by', sa.String(), nullable=True),
    sa.Column('perpetrators', sa.JSON(), nullable=False),
    sa.Column('targets', sa.JSON(), nullable=False),
    sa.Column('victims', sa.JSON(), nullable=False),
    sa.Column('weapons', sa.JSON(), nullable=False),
    sa.Column('related', sa.JSON(), nullable=False),
    sa.Column('attack_type', sa.String(), nullable=True),
    sa.Column('weapon_type', sa.String(), nullable=True),
    sa.Column('target_types', sa.JSON(), nullable=False),
    sa.Column('suicide', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index('ix_incidents_country_code', ['country_code'], unique=False)
        batch_op.create_index('ix_incidents_date', ['date'], unique=False)
        batch_op.create_index('ix_incidents_lat_lon', ['lat', 'lon'], unique=False)
        batch_op.create_index('ix_incidents_sub_event_type', ['sub_event_type'], unique=False)
        batch_op.create_index('ix_incidents_updated_at', ['updated_at'], unique=False)

    op.create_table('sources',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('term_stats',
    sa.Column('term', sa.String(), nullable=False),
    sa.Column('df', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('term')
    )
    op.create_table('articles',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('content_hash', sa.String(), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('published', sa.Date(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('ingested_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('content_hash')
    )
    op.create_table('incident_terms',
    sa.Column('incident_id', sa.String(), nullable=False),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('incident_id')
    )
    op.create_table('article_terms',
    sa.Column('article_id', sa.String(), nullable=False),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('article_id')
    )
    op.create_table('evidence',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('incident_id', sa.String(), nullable=False),
    sa.Column('article_id', sa.String(), nullable=False),
    sa.Column('field', sa.String(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('incident_id', 'article_id', 'field', 'start', 'end', name='uq_evidence_span')
    )
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.create_index('ix_evidence_incident_id', ['incident_id'], unique=False)

    op.create_table('excluded',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('article_id', sa.String(), nullable=False),
    sa.Column('reason', sa.String(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('excluded', schema=None) as batch_op:
        batch_op.create_index('ix_excluded_article_id', ['article_id'], unique=False)

    op.create_table('figures',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('incident_id', sa.String(), nullable=False),
    sa.Column('article_id', sa.String(), nullable=False),
    sa.Column('kind', sa.String(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('qualifier', sa.String(), nullable=False),
    sa.Column('scope', sa.Text(), nullable=True),
    sa.Column('reported_by', sa.String(), nullable=True),
    sa.Column('quote', sa.Text(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('incident_id', 'article_id', 'kind', 'value', 'start', 'end', name='uq_figures_claim')
    )
    with op.batch_alter_table('figures', schema=None) as batch_op:
        batch_op.create_index('ix_figures_incident_id', ['incident_id'], unique=False)

    op.create_table('incident_articles',
    sa.Column('incident_id', sa.String(), nullable=False),
    sa.Column('article_id', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('incident_id', 'article_id')
    )
    with op.batch_alter_table('incident_articles', schema=None) as batch_op:
        batch_op.create_index('ix_incident_articles_article_id', ['article_id'], unique=False)

    op.create_table('incident_reports',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('incident_id', sa.String(), nullable=False),
    sa.Column('article_id', sa.String(), nullable=False),
    sa.Column('extracted_id', sa.String(), nullable=False),
    sa.Column('link', sa.String(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('record', sa.JSON(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('incident_id', 'article_id', 'extracted_id', name='uq_incident_reports')
    )
    with op.batch_alter_table('incident_reports', schema=None) as batch_op:
        batch_op.create_index('ix_incident_reports_article_id', ['article_id'], unique=False)
        batch_op.create_index('ix_incident_reports_incident_id', ['incident_id'], unique=False)

    op.create_table('match_keys',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('key', sa.String(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('incident_id', sa.String(), nullable=True),
    sa.Column('article_id', sa.String(), nullable=True),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('match_keys', schema=None) as batch_op:
        batch_op.create_index('ix_match_keys_article_id', ['article_id'], unique=False)
        batch_op.create_index('ix_match_keys_incident_id', ['incident_id'], unique=False)
        batch_op.create_index('ix_match_keys_key_day', ['key', 'day'], unique=False)



def downgrade() -> None:
    """Drop everything (an empty database remains)."""
    with op.batch_alter_table('match_keys', schema=None) as batch_op:
        batch_op.drop_index('ix_match_keys_key_day')
        batch_op.drop_index('ix_match_keys_incident_id')
        batch_op.drop_index('ix_match_keys_article_id')

    op.drop_table('match_keys')
    with op.batch_alter_table('incident_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_reports_incident_id')
        batch_op.drop_index('ix_incident_reports_article_id')

    op.drop_table('incident_reports')
    with op.batch_alter_table('incident_articles', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_articles_article_id')

    op.drop_table('incident_articles')
    with op.batch_alter_table('figures', schema=None) as batch_op:
        batch_op.drop_index('ix_figures_incident_id')

    op.drop_table('figures')
    with op.batch_alter_table('excluded', schema=None) as batch_op:
        batch_op.drop_index('ix_excluded_article_id')

    op.drop_table('excluded')
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_index('ix_evidence_incident_id')

    op.drop_table('evidence')
    op.drop_table('article_terms')
    op.drop_table('incident_terms')
    op.drop_table('articles')
    op.drop_table('term_stats')
    op.drop_table('sources')
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index('ix_incidents_updated_at')
        batch_op.drop_index('ix_incidents_sub_event_type')
        batch_op.drop_index('ix_incidents_lat_lon')
        batch_op.drop_index('ix_incidents_date')
        batch_op.drop_index('ix_incidents_country_code')

    op.drop_table('incidents')
    with op.batch_alter_table('incident_history', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_history_incident_id')
        batch_op.drop_index('ix_incident_history_at')

    op.drop_table('incident_history')
    with op.batch_alter_table('deletions', schema=None) as batch_op:
        batch_op.drop_index('ix_deletions_at')

    op.drop_table('deletions')

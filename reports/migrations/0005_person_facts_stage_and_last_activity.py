from django.db import migrations

# The view behind reports.models.PersonFact gains what depends on "now", as of its refresh:
# each person's latest activity before it and the stage of their latest ladder move before it
# (the rule of reports.metrics.stage_at: the latest move, the later id first among moves at
# the same moment). now() is the refresh's own start. Reports read these two for periods that
# end after the refresh; past periods stay live.
VIEW = """
CREATE MATERIALIZED VIEW reports_personfact AS
SELECT c.id AS contact_id,
       COALESCE(z.neighborhood_id, s.neighborhood_id) AS neighborhood_id,
       a.first_active_at,
       a.last_active_at,
       st.to_stage_id AS stage_id
FROM contacts_contact c
LEFT JOIN (
  SELECT code, min(n.id) AS neighborhood_id
  FROM reports_neighborhood n, unnest(n.zip_codes) AS code
  WHERE code <> ''
  GROUP BY code
) z ON z.code = left(c.zip_code, 5)
LEFT JOIN LATERAL (
  SELECT n.id AS neighborhood_id FROM reports_neighborhood n
  WHERE z.neighborhood_id IS NULL
    AND c.longitude IS NOT NULL AND c.latitude IS NOT NULL AND n.shape IS NOT NULL
    AND point(c.longitude, c.latitude) <@ n.shape
  ORDER BY n.id LIMIT 1
) s ON true
LEFT JOIN (
  SELECT contact_id, min(occurred_at) AS first_active_at,
         max(occurred_at) FILTER (WHERE occurred_at < now()) AS last_active_at
  FROM contacts_activity GROUP BY contact_id
) a ON a.contact_id = c.id
LEFT JOIN (
  SELECT DISTINCT ON (m.contact_id) m.contact_id, m.to_stage_id
  FROM contacts_laddermove m WHERE m.at < now()
  ORDER BY m.contact_id, m.at DESC, m.id DESC
) st ON st.contact_id = c.id;
CREATE UNIQUE INDEX reports_personfact_contact ON reports_personfact (contact_id);
CREATE INDEX reports_personfact_neighborhood ON reports_personfact (neighborhood_id);
CREATE INDEX reports_personfact_first_active ON reports_personfact (first_active_at);
"""

OLD_VIEW = """
CREATE MATERIALIZED VIEW reports_personfact AS
SELECT c.id AS contact_id,
       COALESCE(z.neighborhood_id, s.neighborhood_id) AS neighborhood_id,
       a.first_active_at
FROM contacts_contact c
LEFT JOIN (
  SELECT code, min(n.id) AS neighborhood_id
  FROM reports_neighborhood n, unnest(n.zip_codes) AS code
  WHERE code <> ''
  GROUP BY code
) z ON z.code = left(c.zip_code, 5)
LEFT JOIN LATERAL (
  SELECT n.id AS neighborhood_id FROM reports_neighborhood n
  WHERE z.neighborhood_id IS NULL
    AND c.longitude IS NOT NULL AND c.latitude IS NOT NULL AND n.shape IS NOT NULL
    AND point(c.longitude, c.latitude) <@ n.shape
  ORDER BY n.id LIMIT 1
) s ON true
LEFT JOIN (
  SELECT contact_id, min(occurred_at) AS first_active_at
  FROM contacts_activity GROUP BY contact_id
) a ON a.contact_id = c.id;
CREATE UNIQUE INDEX reports_personfact_contact ON reports_personfact (contact_id);
CREATE INDEX reports_personfact_neighborhood ON reports_personfact (neighborhood_id);
CREATE INDEX reports_personfact_first_active ON reports_personfact (first_active_at);
"""

DROP = "DROP MATERIALIZED VIEW reports_personfact;"


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_reach_by_election_district"),
    ]

    operations = [migrations.RunSQL(DROP + VIEW, DROP + OLD_VIEW)]

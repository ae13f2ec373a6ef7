from django.db import migrations

# The view behind reports.models.PersonFact gains what depends on "now", as of its refresh:
# each person's latest activity before it, and their two latest ladder moves before it (when,
# and to which stage; the later id first among moves at the same moment, the rule of
# reports.metrics.stage_at). The latest gives the stage now; the two give the stage at the start
# of a recent period for everyone with at most one move since. now() is the refresh's own
# start. Rows are written in person order, so a scan in that order reads the table in order.
# Reports read these for periods that end after the refresh; past periods stay live.
VIEW = """
CREATE MATERIALIZED VIEW reports_personfact AS
SELECT c.id AS contact_id,
       COALESCE(z.neighborhood_id, s.neighborhood_id) AS neighborhood_id,
       a.first_active_at,
       a.last_active_at,
       st.to_stage_id AS stage_id,
       st.at AS moved_at,
       st.prev_stage_id,
       st.prev_at AS prev_moved_at
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
  SELECT w.contact_id, w.to_stage_id, w.at, w.prev_stage_id, w.prev_at
  FROM (
    SELECT m.contact_id, m.to_stage_id, m.at,
           lead(m.to_stage_id) OVER latest AS prev_stage_id,
           lead(m.at) OVER latest AS prev_at,
           row_number() OVER latest AS n
    FROM contacts_laddermove m WHERE m.at < now()
    WINDOW latest AS (PARTITION BY m.contact_id ORDER BY m.at DESC, m.id DESC)
  ) w WHERE w.n = 1
) st ON st.contact_id = c.id
ORDER BY c.id;
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

DROP = "DROP MATERIALIZED VIEW IF EXISTS reports_personfact;"


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_reach_by_election_district"),
    ]

    operations = [migrations.RunSQL(DROP + VIEW, DROP + OLD_VIEW)]

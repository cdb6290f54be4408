// Migration 0004: alerts written by the scheduled pattern sweep (`jigsaw patterns run`). The alert key makes
// the sweep idempotent (a finding seen again updates its alert); the indexes serve the case view (alerts of a
// child) and the alert list (by pattern and status).
CREATE CONSTRAINT alert_key IF NOT EXISTS FOR (n:Alert) REQUIRE n.alert_key IS UNIQUE;
CREATE INDEX alert_person IF NOT EXISTS FOR (n:Alert) ON (n.person_id);
CREATE INDEX alert_pattern_status IF NOT EXISTS FOR (n:Alert) ON (n.pattern, n.status)

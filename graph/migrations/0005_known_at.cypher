// Migration 0005: "as known at" (docs/graph-model.md, Time). Putting the graph back to a past time starts from
// what Jigsaw learnt after it: records and facts first learnt or corrected since, links learnt or changed since,
// person matches in force since, alerts raised since. These indexes find them without scanning the graph.
CREATE INDEX fact_first_learnt IF NOT EXISTS FOR (n:Fact) ON (n.first_learnt_at);
CREATE INDEX fact_valid_from IF NOT EXISTS FOR (n:Fact) ON (n.valid_from);
CREATE INDEX record_first_learnt IF NOT EXISTS FOR (n:SourceRecord) ON (n.first_learnt_at);
CREATE INDEX record_valid_from IF NOT EXISTS FOR (n:SourceRecord) ON (n.valid_from);
CREATE INDEX version_of IF NOT EXISTS FOR (n:RecordVersion) ON (n.version_of);
CREATE INDEX involvement_learnt IF NOT EXISTS FOR ()-[l:INVOLVED_IN]-() ON (l.learnt_at);
CREATE INDEX person_link_learnt IF NOT EXISTS FOR ()-[l:RELATED_TO]-() ON (l.learnt_at);
CREATE INDEX residence_learnt IF NOT EXISTS FOR ()-[l:LIVED_AT]-() ON (l.learnt_at);
CREATE INDEX household_member_learnt IF NOT EXISTS FOR ()-[l:MEMBER_OF]-() ON (l.learnt_at);
CREATE INDEX record_of_in_force IF NOT EXISTS FOR ()-[l:RECORD_OF]-() ON (l.in_force_from);
CREATE INDEX alert_first_seen IF NOT EXISTS FOR (n:Alert) ON (n.first_seen)

// Migration 0002: indexes for the look-ups analysts and entity resolution make (identifiers, names,
// dates, event types). Range indexes; IF NOT EXISTS makes the file safe to re-run.
CREATE INDEX source_record_nhs IF NOT EXISTS FOR (n:SourceRecord) ON (n.nhs_number);
CREATE INDEX source_record_upn IF NOT EXISTS FOR (n:SourceRecord) ON (n.upn);
CREATE INDEX source_record_la_child IF NOT EXISTS FOR (n:SourceRecord) ON (n.la_child_id);
CREATE INDEX source_record_pnc IF NOT EXISTS FOR (n:SourceRecord) ON (n.pnc_id);
CREATE INDEX source_record_name IF NOT EXISTS FOR (n:SourceRecord) ON (n.family_name, n.given_name);
CREATE INDEX source_record_agency IF NOT EXISTS FOR (n:SourceRecord) ON (n.agency);
CREATE INDEX person_dob IF NOT EXISTS FOR (n:Person) ON (n.date_of_birth);
CREATE INDEX fact_type_date IF NOT EXISTS FOR (n:Fact) ON (n.fact_type, n.occurred_on);
CREATE INDEX fact_agency IF NOT EXISTS FOR (n:Fact) ON (n.agency);
CREATE INDEX address_postcode IF NOT EXISTS FOR (n:Address) ON (n.postcode)

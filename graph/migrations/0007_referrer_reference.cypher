// Migration 0007: contacts and early help episodes found by the referrer's own reference (for a police
// referral, the occurrence it came from), so that whether an incident reached social care can be read from the
// incident's reference as well as from the child's records (queries/find_incidents_without_referral.cypher).
CREATE INDEX fact_referrer_reference IF NOT EXISTS FOR (n:Fact) ON (n.referrer_reference)

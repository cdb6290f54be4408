// Purpose: every missing episode of a child (under 18 on its date) up to $reference_date, with the child and
//   where the child went missing from: the episodes the co_occurring_missing pattern pairs up in Python
//   (queries/patterns.py missing_together: a sweep over episodes in date order, where Cypher compared every
//   episode with every other in its time range and took 16 s at 200,000 children).
// Serves: NPCC guidance s7 ("when a child or young person is at risk of going missing or has gone missing";
//   "when multiple children or young people appear linked to the same risk": exploitation, a shared adult).
// Parameters: $reference_date (date)
// Returns: fact_key, occurred_on, ended_on, person_id (a child named as the episode's subject),
//   address_keys (list: where the episode is recorded as happening, empty when nowhere)
MATCH (m:Fact)
WHERE m.fact_type = 'missing_episode' AND m.occurred_on <= $reference_date
MATCH (m)<-[i:INVOLVED_IN]-(:SourceRecord)-[:RECORD_OF]->(a:Person)
WHERE i.role = 'subject' AND a.date_of_birth > m.occurred_on - duration({years: 18})
WITH DISTINCT m, a
OPTIONAL MATCH (m)-[:AT]->(place:Address)
RETURN m.fact_key AS fact_key, m.occurred_on AS occurred_on, m.ended_on AS ended_on, a.person_id AS person_id,
  collect(DISTINCT place.address_key) AS address_keys
ORDER BY occurred_on, fact_key, person_id

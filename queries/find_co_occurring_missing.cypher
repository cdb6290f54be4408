// Purpose: pairs of children reported missing at overlapping times (within $slack_days either side), each
//   overlap with both episodes, for pairs with at least $min_occasions overlaps (fewer can never make that many
//   occasions); the caller keeps the pairs missing together on several separate occasions.
// Serves: NPCC guidance s7 ("when a child or young person is at risk of going missing or has gone missing";
//   "when multiple children or young people appear linked to the same risk": exploitation, a shared adult).
// Parameters: $slack_days (int), $max_missing_days (int: the longest episode considered), $reference_date (date),
//   $since (date or null), $min_occasions (int)
// Returns: person_id, other_id (children, at the time), overlaps (list of {fact_key, occurred_on, other_key,
//   other_on, address_key, other_address_key})
MATCH (m1:Fact)
WHERE m1.fact_type = 'missing_episode' AND m1.occurred_on <= $reference_date
  AND ($since IS NULL OR m1.occurred_on >= $since)
MATCH (m1)<-[i1:INVOLVED_IN]-(:SourceRecord)-[:RECORD_OF]->(a:Person)
WHERE i1.role = 'subject' AND a.date_of_birth > m1.occurred_on - duration({years: 18})
CALL (m1, a) {
  MATCH (m2:Fact)
  WHERE m2.fact_type = 'missing_episode'
    AND m2.occurred_on >= m1.occurred_on - duration({days: $max_missing_days + $slack_days})
    AND m2.occurred_on <= coalesce(m1.ended_on, m1.occurred_on) + duration({days: $slack_days})
    AND coalesce(m2.ended_on, m2.occurred_on) + duration({days: $slack_days}) >= m1.occurred_on
  MATCH (m2)<-[i2:INVOLVED_IN]-(:SourceRecord)-[:RECORD_OF]->(b:Person)
  WHERE i2.role = 'subject' AND b <> a AND b.date_of_birth > m2.occurred_on - duration({years: 18})
  RETURN b, m2
}
OPTIONAL MATCH (m1)-[:AT]->(a1:Address)
OPTIONAL MATCH (m2)-[:AT]->(a2:Address)
WITH a, b,
  collect(DISTINCT {fact_key: m1.fact_key, occurred_on: m1.occurred_on, other_key: m2.fact_key,
    other_on: m2.occurred_on, address_key: a1.address_key, other_address_key: a2.address_key}) AS overlaps
WHERE size(overlaps) >= $min_occasions
RETURN a.person_id AS person_id, b.person_id AS other_id, overlaps
ORDER BY person_id, other_id

// Purpose: across the whole graph, pairs of children linked by an event in the window: named on the same
//   incident (any Event except missing episodes), or missing at overlapping times from the same address or
//   postcode area. The edges networkx joins into connected groups (queries/linked.py, linked_groups).
// Serves: NPCC guidance s7 ("when multiple children or young people appear linked to the same risk"; going
//   missing).
// Parameters: $from (date), $to (date), $reference_date (date: both are children then), $max_missing_days (int)
// Returns: child_a, child_b (person ids, child_a < child_b), kind (same_incident or missing_overlap), fact_key
CALL () {
  MATCH (f:Event)
  WHERE f.occurred_on >= $from AND f.occurred_on <= $to AND f.fact_type <> 'missing_episode'
  MATCH (f)<-[:INVOLVED_IN]-(:SourceRecord)-[:RECORD_OF]->(k:Person)
  WHERE k:Unborn OR (k.date_of_birth > $reference_date - duration({years: 18}) AND k.date_of_birth <= $reference_date)
  WITH f, collect(DISTINCT k.person_id) AS kids
  WHERE size(kids) > 1
  UNWIND kids AS a
  UNWIND kids AS b
  WITH f, a, b
  WHERE a < b
  RETURN a AS child_a, b AS child_b, 'same_incident' AS kind, f.fact_key AS fact_key
  UNION
  MATCH (m1:Fact)-[:AT]->(a1:Address)
  WHERE m1.fact_type = 'missing_episode' AND m1.occurred_on >= $from AND m1.occurred_on <= $to
  CALL (m1, a1) {
    MATCH (m2:Fact)-[:AT]->(a2:Address)
    WHERE m2.fact_type = 'missing_episode' AND m2.fact_key > m1.fact_key
      AND m2.occurred_on >= m1.occurred_on - duration({days: $max_missing_days})
      AND m2.occurred_on <= coalesce(m1.ended_on, m1.occurred_on)
      AND coalesce(m2.ended_on, m2.occurred_on) >= m1.occurred_on
      AND (a2 = a1 OR (a2.area IS NOT NULL AND a2.area = a1.area))
    RETURN m2
  }
  MATCH (m1)<-[i1:INVOLVED_IN]-(:SourceRecord)-[:RECORD_OF]->(p1:Person)
  MATCH (m2)<-[i2:INVOLVED_IN]-(:SourceRecord)-[:RECORD_OF]->(p2:Person)
  WHERE i1.role = 'subject' AND i2.role = 'subject' AND p1 <> p2
    AND (p1.date_of_birth > $reference_date - duration({years: 18}) AND p1.date_of_birth <= $reference_date)
    AND (p2.date_of_birth > $reference_date - duration({years: 18}) AND p2.date_of_birth <= $reference_date)
  RETURN CASE WHEN p1.person_id < p2.person_id THEN p1.person_id ELSE p2.person_id END AS child_a,
    CASE WHEN p1.person_id < p2.person_id THEN p2.person_id ELSE p1.person_id END AS child_b,
    'missing_overlap' AS kind, m1.fact_key + ' ~ ' + m2.fact_key AS fact_key
}
RETURN DISTINCT child_a, child_b, kind, fact_key
ORDER BY child_a, child_b, kind, fact_key

// Purpose: other children linked to a child by place or event in a window: children recorded at the same
//   address (at the same time, or at another time), children named on the same incident or referral, and
//   children missing at overlapping times from the same address or postcode area. (Children linked through
//   the same adult come from find_children_around_adults.) A linked child is a child at $reference_date.
// Serves: NPCC guidance s7 ("when a child or young person is at risk of going missing or has gone missing";
//   "when multiple children or young people appear linked to the same risk").
// Parameters: $person_id, $from (date), $to (date), $reference_date (date), $max_missing_days (int: the longest
//   missing episode considered when looking for overlaps)
// Returns: person_id (the linked child), links (list of {kind: same_address, same_incident or missing_overlap,
//   overlapping (bool, same_address), address_key, area, fact_key, other_fact_key, fact_type, occurred_on,
//   role, child_role, agency, record_key, place})
MATCH (c:Person {person_id: $person_id})
CALL (c) {
  MATCH (c)<-[:RECORD_OF]-(:SourceRecord)-[l1:LIVED_AT]->(a:Address)<-[l2:LIVED_AT]-(orr:SourceRecord)
    -[:RECORD_OF]->(o:Person)
  WHERE o <> c
    AND coalesce(l1.from, $from) <= $to AND coalesce(l1.to, $to) >= $from
    AND coalesce(l2.from, $from) <= $to AND coalesce(l2.to, $to) >= $from
  RETURN o, {kind: 'same_address', address_key: a.address_key, area: a.area, agency: l2.agency,
    record_key: orr.record_key, occurred_on: l2.from,
    overlapping: coalesce(l1.from, $from) <= coalesce(l2.to, $to) AND coalesce(l2.from, $from) <= coalesce(l1.to, $to)}
    AS link
  UNION
  MATCH (c)<-[:RECORD_OF]-(:SourceRecord)-[i1:INVOLVED_IN]->(f:Fact)<-[i2:INVOLVED_IN]-(orr:SourceRecord)
    -[:RECORD_OF]->(o:Person)
  WHERE o <> c AND (f:Event OR f:Referral) AND f.occurred_on >= $from AND f.occurred_on <= $to
  RETURN o, {kind: 'same_incident', fact_key: f.fact_key, fact_type: f.fact_type, occurred_on: f.occurred_on,
    role: i2.role, child_role: i1.role, agency: f.agency, record_key: orr.record_key} AS link
  UNION
  MATCH (c)<-[:RECORD_OF]-(:SourceRecord)-[:INVOLVED_IN]->(m1:Fact)-[:AT]->(a1:Address)
  WHERE m1.fact_type = 'missing_episode' AND m1.occurred_on >= $from AND m1.occurred_on <= $to
  CALL (m1, a1) {
    MATCH (m2:Fact)-[:AT]->(a2:Address)
    WHERE m2.fact_type = 'missing_episode' AND m2 <> m1
      AND m2.occurred_on >= m1.occurred_on - duration({days: $max_missing_days})
      AND m2.occurred_on <= coalesce(m1.ended_on, m1.occurred_on)
      AND coalesce(m2.ended_on, m2.occurred_on) >= m1.occurred_on
      AND (a2 = a1 OR (a2.area IS NOT NULL AND a2.area = a1.area))
    RETURN m2, a2
  }
  MATCH (m2)<-[i2:INVOLVED_IN]-(orr:SourceRecord)-[:RECORD_OF]->(o:Person)
  WHERE o <> c AND i2.role = 'subject'
  RETURN o, {kind: 'missing_overlap', fact_key: m1.fact_key, other_fact_key: m2.fact_key, fact_type: m2.fact_type,
    occurred_on: m2.occurred_on, agency: m2.agency, record_key: orr.record_key, address_key: a2.address_key,
    area: a2.area, place: CASE WHEN a2 = a1 THEN 'same address' ELSE 'same area' END} AS link
}
WITH o, link
WHERE o:Unborn OR (o.date_of_birth IS NOT NULL AND o.date_of_birth > $reference_date - duration({years: 18})
  AND o.date_of_birth <= $reference_date)
RETURN o.person_id AS person_id, collect(DISTINCT link) AS links
ORDER BY person_id

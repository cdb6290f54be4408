// Purpose: where each child lived over time, per each agency's record (an address can be held by several
//   agencies with different dates: all are returned, so disagreements show).
// Serves: NPCC guidance s7 (the child's life story held in chapters by separate agencies); the addresses the
//   picture, the household and facts-at-the-address questions start from.
// Parameters: $children: list of {person_id, from (date), to (date)}; residences that do not overlap the window
//   are left out (a missing from/to means open-ended).
// Returns: child_id, address_key, line, postcode, area, uprn, from, to, agency, record_key, source_table,
//   source_record_id, recorded_by_role, basis
UNWIND $children AS ch
MATCH (:Person {person_id: ch.person_id})<-[:RECORD_OF]-(r:SourceRecord)-[l:LIVED_AT]->(a:Address)
WHERE coalesce(l.from, ch.from) <= ch.to AND coalesce(l.to, ch.to) >= ch.from
RETURN ch.person_id AS child_id, a.address_key AS address_key, a.line AS line, a.postcode AS postcode,
  a.area AS area, a.uprn AS uprn, l.from AS from, l.to AS to, l.agency AS agency, r.record_key AS record_key,
  l.source_table AS source_table, l.source_record_id AS source_record_id,
  l.recorded_by_role AS recorded_by_role, l.basis AS basis
ORDER BY child_id, from, address_key, agency

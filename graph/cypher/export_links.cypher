// Purpose: one row per agency record with the person it is linked to and how (the links export,
//   compared with the synthetic county's truth to measure accuracy).
// Parameters: none
// Returns: agency, source_record_id, record_key, person_id, match_probability, method, decided_by,
//   linked_at
MATCH (r:SourceRecord)
OPTIONAL MATCH (r)-[l:RECORD_OF]->(p:Person)
RETURN r.agency AS agency, r.source_record_id AS source_record_id, r.record_key AS record_key,
  p.person_id AS person_id, l.match_probability AS match_probability, l.method AS method,
  l.decided_by AS decided_by, l.linked_at AS linked_at
ORDER BY r.record_key

// Purpose: the whole current link (RECORD_OF properties: evidence, history, linked_at, in_force_from ...)
//   of the given records, for the links a run changes.
// Parameters: $rows: list of {record_key}
// Returns: record_key, person_id, link (map of the RECORD_OF properties)
UNWIND $rows AS row
MATCH (r:SourceRecord {record_key: row.record_key})-[l:RECORD_OF]->(p:Person)
RETURN r.record_key AS record_key, p.person_id AS person_id, properties(l) AS link

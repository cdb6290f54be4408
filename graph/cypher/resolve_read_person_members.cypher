// Purpose: the record keys of the given persons (who is in each person now).
// Parameters: $rows: list of {person_id}
// Returns: person_id, record_key (one row per record)
UNWIND $rows AS row
MATCH (p:Person {person_id: row.person_id})<-[:RECORD_OF]-(r:SourceRecord)
RETURN p.person_id AS person_id, r.record_key AS record_key

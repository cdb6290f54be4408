// Purpose: every record's current link to its person, to keep person ids stable and to write only
//   the links that change.
// Parameters: none
// Returns: record_key, person_id, link (map of the RECORD_OF properties)
MATCH (r:SourceRecord)-[l:RECORD_OF]->(p:Person)
RETURN r.record_key AS record_key, p.person_id AS person_id, properties(l) AS link

// Purpose: inside a transaction that is always rolled back, put person matches back as they were in force at a
//   past time: each given record's current RECORD_OF is replaced by the link in force then (to the person of
//   that time, made again if it has since been merged away) or by none (the record was not matched yet).
// Serves: issue 10 ("as known at"): the picture uses the matches that were in force then.
// Parameters: $rows: list of {record_key, person_id (null: no match then), props (map of RECORD_OF properties)}
// Returns: relinked (int), unlinked (int)
UNWIND $rows AS row
MATCH (r:SourceRecord {record_key: row.record_key})
CALL (r) {
  MATCH (r)-[l:RECORD_OF]->(:Person)
  DELETE l
}
CALL (r, row) {
  WITH r, row WHERE row.person_id IS NOT NULL
  MERGE (p:Person {person_id: row.person_id})
  CREATE (r)-[l:RECORD_OF]->(p)
  SET l = row.props
}
RETURN sum(CASE WHEN row.person_id IS NULL THEN 0 ELSE 1 END) AS relinked,
  sum(CASE WHEN row.person_id IS NULL THEN 1 ELSE 0 END) AS unlinked

// Purpose: link each record to its person (RECORD_OF with method, match_probability, matched_fields,
//   matched_with, decided_by, linked_at, and the history of its earlier links as JSON). A link to
//   another person is removed: a record belongs to exactly one person. Facts stay on the record.
// Parameters: $rows: list of {record_key, person_id, props (map)}
// Returns: written (int)
UNWIND $rows AS row
MATCH (r:SourceRecord {record_key: row.record_key})
MATCH (p:Person {person_id: row.person_id})
CALL (r, p) {
  MATCH (r)-[old:RECORD_OF]->(q:Person)
  WHERE q <> p
  DELETE old
}
MERGE (r)-[l:RECORD_OF]->(p)
SET l = row.props
RETURN count(l) AS written

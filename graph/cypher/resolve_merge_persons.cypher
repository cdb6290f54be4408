// Purpose: create or update resolved persons: date of birth (or expected date of birth and the label
//   Unborn), sex, display name, how many records and which agencies. A null in props removes it.
// Parameters: $rows: list of {person_id, props (map), unborn (bool)}
// Returns: written (int)
UNWIND $rows AS row
MERGE (p:Person {person_id: row.person_id})
SET p += row.props
WITH p, row
CALL (p, row) {
  WITH p, row WHERE row.unborn
  SET p:Unborn
}
CALL (p, row) {
  WITH p, row WHERE NOT row.unborn
  REMOVE p:Unborn
}
RETURN count(p) AS written

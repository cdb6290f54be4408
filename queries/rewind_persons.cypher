// Purpose: inside a transaction that is always rolled back, give persons the details their records gave at a
//   past time (display name, date of birth, sex, Unborn), and take away persons with no record matched then.
// Serves: issue 10 ("as known at").
// Parameters: $rows: list of {person_id, props (map; null removes), unborn (bool), keep (bool: false = no records)}
// Returns: updated (int), removed (int)
UNWIND $rows AS row
MATCH (p:Person {person_id: row.person_id})
CALL (p, row) {
  WITH p, row WHERE row.keep
  SET p += row.props
  REMOVE p:Unborn
  FOREACH (_ IN CASE WHEN row.unborn THEN [1] ELSE [] END | SET p:Unborn)
}
CALL (p, row) {
  WITH p, row WHERE NOT row.keep
  DETACH DELETE p
}
RETURN sum(CASE WHEN row.keep THEN 1 ELSE 0 END) AS updated, sum(CASE WHEN row.keep THEN 0 ELSE 1 END) AS removed

// Purpose: every person's resolved attributes, to write only the persons that change.
// Parameters: none
// Returns: person_id, props (map), unborn (bool)
MATCH (p:Person)
RETURN p.person_id AS person_id,
  p {.date_of_birth, .expected_date_of_birth, .sex, .display_name, .record_count, .agencies} AS props,
  p:Unborn AS unborn

// Purpose: the children in the graph at $reference_date (born after $born_after, or unborn): the population the
//   benchmark samples case pictures from.
// Serves: issue 6's benchmark (case picture latency over random children).
// Parameters: $born_after (date: the reference date less 18 years), $reference_date (date)
// Returns: person_id
MATCH (p:Person)
WHERE p:Unborn OR (p.date_of_birth > $born_after AND p.date_of_birth <= $reference_date)
RETURN p.person_id AS person_id
ORDER BY person_id

// Purpose: which of the given persons are unborn children (a pregnancy: guidance case 5), without reading their
//   records (find_persons reads them all): the hidden-adult rule watches fewer agencies for an unborn child.
// Serves: NPCC guidance s9 case 5; "The myth of invisible men" (the unborn baby's father).
// Parameters: $person_ids (list)
// Returns: person_id (only those that are unborn)
UNWIND $person_ids AS person_id
MATCH (p:Person {person_id: person_id})
WHERE p:Unborn
RETURN p.person_id AS person_id
ORDER BY person_id

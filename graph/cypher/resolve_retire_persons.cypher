// Purpose: remove persons left without records (their records joined another person), leaving a
//   PersonRedirect so that an old person id still leads somewhere.
// Parameters: $rows: list of {person_id, to_person_id, at (datetime), reason}
// Returns: retired (int)
UNWIND $rows AS row
MATCH (p:Person {person_id: row.person_id})
WHERE NOT EXISTS { (p)<-[:RECORD_OF]-(:SourceRecord) }
MERGE (x:PersonRedirect {person_id: row.person_id})
SET x.to_person_id = row.to_person_id, x.retired_at = row.at, x.reason = row.reason
DETACH DELETE p
RETURN count(*) AS retired

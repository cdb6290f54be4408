// Purpose: the agency records each given person is matched to, with the fields a person's resolved details
//   (name, date of birth, sex, unborn) are computed from, so that they can be computed again from the records
//   as they stood at a past time.
// Serves: issue 10 ("as known at"); NPCC guidance s8 (information accurate).
// Parameters: $person_ids: list of str
// Returns: person_id, records (list of maps: record_key, agency, given_name, family_name, other_names,
//   date_of_birth, expected_date_of_birth, sex)
UNWIND $person_ids AS pid
OPTIONAL MATCH (p:Person {person_id: pid})<-[:RECORD_OF]-(r:SourceRecord)
RETURN pid AS person_id, collect(r {.record_key, .agency, .given_name, .family_name, .other_names,
  .date_of_birth, .expected_date_of_birth, .sex}) AS records

// Purpose: who a person is: the resolved Person and every agency record linked to it, with how each was
//   matched (method, probability, fields), so the analyst can see and question the match.
// Serves: NPCC guidance s8 (information accurate); the glossary's point that no identifier is shared by all
//   agencies, so matching is part of the job and must be visible.
// Parameters: $person_ids: list of str
// Returns: person_id, display_name, date_of_birth, expected_date_of_birth, sex, unborn (bool), records (list of
//   {record_key, agency, source_system, source_table, source_record_id, given_name, family_name,
//   date_of_birth, nhs_number, upn, la_child_id, pnc_id, postcode, method, match_probability, matched_fields})
UNWIND $person_ids AS pid
MATCH (p:Person {person_id: pid})
OPTIONAL MATCH (p)<-[m:RECORD_OF]-(r:SourceRecord)
WITH p, m, r ORDER BY r.agency, r.record_key
RETURN p.person_id AS person_id, p.display_name AS display_name, p.date_of_birth AS date_of_birth,
  p.expected_date_of_birth AS expected_date_of_birth, p.sex AS sex, p:Unborn AS unborn,
  [x IN collect({record_key: r.record_key, agency: r.agency, source_system: r.source_system,
    source_table: r.source_table, source_record_id: r.source_record_id, given_name: r.given_name,
    family_name: r.family_name, date_of_birth: r.date_of_birth, nhs_number: r.nhs_number, upn: r.upn,
    la_child_id: r.la_child_id, pnc_id: r.pnc_id, postcode: r.postcode, method: m.method,
    match_probability: m.match_probability, matched_fields: m.matched_fields}) WHERE x.record_key IS NOT NULL]
    AS records

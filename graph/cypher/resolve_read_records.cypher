// Purpose: every agency record of a person, with the fields entity resolution compares and the
//   addresses it has lived at (LIVED_AT), for the matcher's features.
// Parameters: none
// Returns: record_key, agency, source_record_id, given_name, family_name, other_names, date_of_birth,
//   expected_date_of_birth, sex, nhs_number, upn, la_child_id, pnc_id, postcode, address_line,
//   lived_at (list of [postcode, line])
MATCH (r:SourceRecord)
RETURN r.record_key AS record_key, r.agency AS agency, r.source_record_id AS source_record_id,
  r.given_name AS given_name, r.family_name AS family_name, r.other_names AS other_names,
  r.date_of_birth AS date_of_birth, r.expected_date_of_birth AS expected_date_of_birth, r.sex AS sex,
  r.nhs_number AS nhs_number, r.upn AS upn, r.la_child_id AS la_child_id, r.pnc_id AS pnc_id,
  r.postcode AS postcode, r.address_line AS address_line,
  [(r)-[:LIVED_AT]->(a:Address) | [a.postcode, a.line]] AS lived_at

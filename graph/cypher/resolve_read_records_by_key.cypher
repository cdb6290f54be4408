// Purpose: the given agency records with the fields entity resolution compares (as
//   resolve_read_records), their current person and link, for an analyst's decision on a few records.
// Parameters: $rows: list of {record_key}
// Returns: the columns of resolve_read_records, plus person_id and link (map of RECORD_OF properties)
UNWIND $rows AS row
MATCH (r:SourceRecord {record_key: row.record_key})
OPTIONAL MATCH (r)-[l:RECORD_OF]->(p:Person)
RETURN r.record_key AS record_key, r.agency AS agency, r.source_record_id AS source_record_id,
  r.given_name AS given_name, r.family_name AS family_name, r.other_names AS other_names,
  r.date_of_birth AS date_of_birth, r.expected_date_of_birth AS expected_date_of_birth, r.sex AS sex,
  r.nhs_number AS nhs_number, r.upn AS upn, r.la_child_id AS la_child_id, r.pnc_id AS pnc_id,
  r.postcode AS postcode, r.address_line AS address_line,
  [(r)-[:LIVED_AT]->(a:Address) | [a.postcode, a.line]] AS lived_at,
  p.person_id AS person_id, properties(l) AS link

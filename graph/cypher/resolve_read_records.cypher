// Purpose: every agency record of a person, with the fields entity resolution compares and the
//   addresses it has lived at (LIVED_AT), for the matcher's features; one page of records in
//   record_key order per call, each record a list (the driver's cost is per returned row: 1.8 million
//   rows took 80 s to read at 200,000 children, pages of lists 35 s).
// Parameters: $after (str: the last record_key of the page before, "" for the first), $page (int)
// Returns: last (str: the page's last record_key, null after the last page), records (list of
//   [record_key, agency, source_record_id, given_name, family_name, other_names, date_of_birth (ISO text),
//   expected_date_of_birth (ISO text), sex, nhs_number, upn, la_child_id, pnc_id, postcode, address_line,
//   lived_at (list of [postcode, line])])
MATCH (r:SourceRecord)
WHERE r.record_key > $after
WITH r
ORDER BY r.record_key
LIMIT $page
RETURN max(r.record_key) AS last, collect([r.record_key, r.agency, r.source_record_id, r.given_name, r.family_name, r.other_names,
  toString(r.date_of_birth), toString(r.expected_date_of_birth), r.sex, r.nhs_number, r.upn,
  r.la_child_id, r.pnc_id, r.postcode, r.address_line,
  [(r)-[:LIVED_AT]->(a:Address) | [a.postcode, a.line]]]) AS records

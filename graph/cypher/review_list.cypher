// Purpose: the review queue: reviews with the given status, most probable first, with both records'
//   names and dates of birth for the list view.
// Parameters: $rows: list of one {status}
// Returns: review_id, pair_key, status, probability, matched_fields, left, right, left_name, right_name,
//   left_dob, right_dob, left_agency, right_agency, reason, created_at, decided_by, decided_at
UNWIND $rows AS row
MATCH (m:MatchReview {status: row.status})
OPTIONAL MATCH (a:SourceRecord {record_key: m.left})
OPTIONAL MATCH (b:SourceRecord {record_key: m.right})
RETURN m.review_id AS review_id, m.pair_key AS pair_key, m.status AS status, m.probability AS probability,
  m.matched_fields AS matched_fields, m.left AS left, m.right AS right,
  trim(coalesce(a.given_name, '') + ' ' + coalesce(a.family_name, '')) AS left_name,
  trim(coalesce(b.given_name, '') + ' ' + coalesce(b.family_name, '')) AS right_name,
  coalesce(a.date_of_birth, a.expected_date_of_birth) AS left_dob,
  coalesce(b.date_of_birth, b.expected_date_of_birth) AS right_dob,
  a.agency AS left_agency, b.agency AS right_agency, coalesce(m.decision_reason, m.reason) AS reason,
  m.created_at AS created_at, m.decided_by AS decided_by, m.decided_at AS decided_at
ORDER BY m.probability DESC, m.review_id

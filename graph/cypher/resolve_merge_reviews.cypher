// Purpose: put doubtful pairs in the review queue (status pending) and identifier conflicts (status
//   conflict), with the score and the comparison that produced it. A pair an analyst has decided
//   (confirmed, rejected) is never changed by a run.
// Parameters: $rows: list of {pair_key, review_id, status, at (datetime), props (map: left, right,
//   probability, matched_fields, comparison (JSON), method, reason, run_id)}
// Returns: written (int)
UNWIND $rows AS row
MERGE (m:MatchReview {pair_key: row.pair_key})
ON CREATE SET m.review_id = row.review_id, m.created_at = row.at, m.status = row.status
WITH m, row
WHERE m.status IN ['pending', 'conflict', 'withdrawn']
SET m += row.props, m.status = row.status, m.updated_at = row.at
RETURN count(m) AS written

// Purpose: record an analyst's decision on a pair (confirmed or rejected), who, when and why; the
//   previous decision, if any, is kept in history (JSON strings). Creates the review when a split
//   decides a pair no run had raised.
// Parameters: $rows: list of {pair_key, review_id, left, right, status, decided_by, decided_at (datetime),
//   reason, origin, previous (JSON string or null)}
// Returns: decided (int)
UNWIND $rows AS row
MERGE (m:MatchReview {pair_key: row.pair_key})
ON CREATE SET m.review_id = row.review_id, m.left = row.left, m.right = row.right,
  m.created_at = row.decided_at, m.origin = row.origin
SET m.history = coalesce(m.history, []) + CASE WHEN row.previous IS NULL THEN [] ELSE [row.previous] END,
  m.status = row.status, m.decided_by = row.decided_by, m.decided_at = row.decided_at,
  m.decision_reason = row.reason
RETURN count(m) AS decided

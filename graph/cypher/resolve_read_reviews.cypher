// Purpose: every review of a pair of records (pending, conflict, withdrawn, confirmed, rejected), so a
//   run respects analysts' decisions and withdraws pending pairs it no longer doubts.
// Parameters: none
// Returns: review_id, pair_key, left, right, status, probability, decided_by, decided_at
MATCH (m:MatchReview)
RETURN m.review_id AS review_id, m.pair_key AS pair_key, m.left AS left, m.right AS right,
  m.status AS status, m.probability AS probability, m.decided_by AS decided_by, m.decided_at AS decided_at

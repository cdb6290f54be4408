// Purpose: upsert facts an agency recorded (events, referrals, assessments, episodes, flags), keyed by fact_key =
//   agency|table|id, with their type labels (e.g. Event, Referral) added from row.labels.
//   A changed record (different row_hash) keeps its previous version as a RecordVersion, closed at
//   the time Jigsaw learnt the new one: history is never lost. Re-running with the same rows changes nothing.
// Parameters: $rows: list of {fact_key, labels (list of str), row_hash, learnt_at (datetime), props (map)}
// Returns: created (int), updated (int)
UNWIND $rows AS row
MERGE (n:Fact {fact_key: row.fact_key})
ON CREATE SET n = row.props, n.fact_key = row.fact_key, n.row_hash = row.row_hash,
  n.valid_from = row.learnt_at, n.first_learnt_at = row.learnt_at, n._new = true
SET n:$(row.labels)
WITH n, row
CALL (n, row) {
  WITH n, row WHERE n.row_hash <> row.row_hash
  WITH n, row, n.first_learnt_at AS first
  MERGE (v:RecordVersion {version_key: n.fact_key + '|' + n.row_hash})
  ON CREATE SET v += properties(n), v.version_key = n.fact_key + '|' + n.row_hash, v.valid_to = row.learnt_at
  MERGE (n)-[:PREVIOUS_VERSION]->(v)
  SET n = row.props, n.fact_key = row.fact_key, n.row_hash = row.row_hash,
    n.valid_from = row.learnt_at, n.first_learnt_at = first, n._updated = true
}
WITH n, coalesce(n._new, false) AS created, coalesce(n._updated, false) AS updated
REMOVE n._new, n._updated
RETURN sum(CASE WHEN created THEN 1 ELSE 0 END) AS created, sum(CASE WHEN updated THEN 1 ELSE 0 END) AS updated

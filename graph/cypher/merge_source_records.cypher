// Purpose: upsert agency records of a person (SourceRecord), keyed by record_key = agency|table|id.
//   A changed record (different row_hash) keeps its previous version as a RecordVersion, closed at
//   the time Jigsaw learnt the new one: history is never lost. Re-running with the same rows changes nothing.
// Parameters: $rows: list of {record_key, row_hash, learnt_at (datetime), props (map of primitives)}
// Returns: created (int), updated (int)
UNWIND $rows AS row
MERGE (n:SourceRecord {record_key: row.record_key})
ON CREATE SET n = row.props, n.record_key = row.record_key, n.row_hash = row.row_hash,
  n.valid_from = row.learnt_at, n.first_learnt_at = row.learnt_at, n._new = true
WITH n, row
CALL (n, row) {
  WITH n, row WHERE n.row_hash <> row.row_hash
  WITH n, row, n.first_learnt_at AS first
  MERGE (v:RecordVersion {version_key: n.record_key + '|' + n.row_hash})
  ON CREATE SET v += properties(n), v.version_key = n.record_key + '|' + n.row_hash, v.valid_to = row.learnt_at
  MERGE (n)-[:PREVIOUS_VERSION]->(v)
  SET n = row.props, n.record_key = row.record_key, n.row_hash = row.row_hash,
    n.valid_from = row.learnt_at, n.first_learnt_at = first, n._updated = true
}
WITH n, coalesce(n._new, false) AS created, coalesce(n._updated, false) AS updated
REMOVE n._new, n._updated
RETURN sum(CASE WHEN created THEN 1 ELSE 0 END) AS created, sum(CASE WHEN updated THEN 1 ELSE 0 END) AS updated

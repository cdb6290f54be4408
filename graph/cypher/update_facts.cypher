// Purpose: apply an agency's correction of facts the graph holds (a different row_hash): the version held
//   becomes a RecordVersion closed (valid_to) when Jigsaw learnt the new one, so history is never lost.
//   The same corrected row again changes nothing (its hash now matches). The version keeps the fact's labels and
//   what it is a version of (version_of = fact_key), so the graph can be put back to any past time.
// Parameters: $rows: list of {fact_key, labels (list of str), row_hash, props (map)};
//   $run: {run_id, learnt_at (datetime)}
// Returns: updated (int)
UNWIND $rows AS row
MATCH (n:Fact {fact_key: row.fact_key})
WHERE n.row_hash <> row.row_hash
WITH n, row, n.first_learnt_at AS first, n.fact_key + '|' + n.row_hash AS version_key
MERGE (v:RecordVersion {version_key: version_key})
ON CREATE SET v += properties(n), v.version_key = version_key, v.version_of = n.fact_key, v.labels = labels(n),
  v.valid_to = $run.learnt_at
MERGE (n)-[:PREVIOUS_VERSION]->(v)
SET n = row.props, n.fact_key = row.fact_key, n.row_hash = row.row_hash,
  n.ingest_run_id = $run.run_id, n.learnt_at = $run.learnt_at,
  n.valid_from = $run.learnt_at, n.first_learnt_at = first, n:$(row.labels)
RETURN count(n) AS updated

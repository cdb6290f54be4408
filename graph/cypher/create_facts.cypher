// Purpose: add facts an agency recorded (events, referrals, assessments, episodes, flags) that the graph does
//   not hold yet, keyed by fact_key = agency|table|id, with their type labels (e.g. Event, Referral) from
//   row.labels. MERGE (not CREATE) so that two loads racing on one key still make one node.
// Parameters: $rows: list of {fact_key, labels (list of str), row_hash, props (map)};
//   $run: {run_id, learnt_at (datetime)}: the ingest run and when Jigsaw learnt the rows (provenance)
// Returns: raced (list of fact_key: rows another load created first, with other content, to be versioned)
UNWIND $rows AS row
MERGE (n:Fact {fact_key: row.fact_key})
ON CREATE SET n = row.props, n.fact_key = row.fact_key, n.row_hash = row.row_hash,
  n.ingest_run_id = $run.run_id, n.learnt_at = $run.learnt_at,
  n.valid_from = $run.learnt_at, n.first_learnt_at = $run.learnt_at, n:$(row.labels)
WITH n, row WHERE n.row_hash <> row.row_hash
RETURN collect(row.fact_key) AS raced

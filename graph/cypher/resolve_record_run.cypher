// Purpose: record one entity-resolution run: who, when, the model and thresholds, and the counts.
// Parameters: $rows: list of one {run_id, props (map)}
// Returns: run_id
UNWIND $rows AS row
MERGE (r:ResolutionRun {run_id: row.run_id})
SET r += row.props
WITH r, row
OPTIONAL MATCH (m:ResolutionModel {version: row.props.model_version})
CALL (r, m) {
  WITH r, m WHERE m IS NOT NULL
  MERGE (r)-[:USED_MODEL]->(m)
}
RETURN r.run_id AS run_id

// Purpose: people an agency records as one household or family (ssd_family, housing occupants), with
//   the period and the member's role in props.
// Parameters: $rows: list of {idx (int), record_key, household (map with household_key), props (map)}
//   $run: {run_id, learnt_at (datetime)}: the ingest run and when Jigsaw learnt the rows (provenance)
// Returns: written (list of idx whose record exists)
UNWIND $rows AS row
MATCH (r:SourceRecord {record_key: row.record_key})
MERGE (h:Household {household_key: row.household.household_key})
ON CREATE SET h += row.household
MERGE (r)-[m:MEMBER_OF]->(h)
WITH row, m, any(k IN keys(row.props)
  WHERE coalesce(m[k] <> row.props[k], (m[k] IS NULL) <> (row.props[k] IS NULL))) AS changed
// a link seen again unchanged keeps the provenance of the run that brought it; a changed one takes this run's
SET m += row.props,
  m.ingest_run_id = CASE WHEN changed THEN $run.run_id ELSE m.ingest_run_id END,
  m.learnt_at = CASE WHEN changed THEN $run.learnt_at ELSE m.learnt_at END
RETURN collect(row.idx) AS written

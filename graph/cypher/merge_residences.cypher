// Purpose: where a person lived, per an agency's record: the normalised Address (UPRN or line+postcode)
//   and a time-bounded LIVED_AT (from/to in props, with provenance).
// Parameters: $rows: list of {idx (int), link_key, record_key, address (map with address_key), props (map)}
//   $run: {run_id, learnt_at (datetime)}: the ingest run and when Jigsaw learnt the rows (provenance)
// Returns: written (list of idx whose record exists)
UNWIND $rows AS row
MATCH (r:SourceRecord {record_key: row.record_key})
MERGE (a:Address {address_key: row.address.address_key})
ON CREATE SET a += row.address
MERGE (r)-[l:LIVED_AT {link_key: row.link_key}]->(a)
WITH row, l, any(k IN keys(row.props)
  WHERE coalesce(l[k] <> row.props[k], (l[k] IS NULL) <> (row.props[k] IS NULL))) AS changed
// a link seen again unchanged keeps the provenance of the run that brought it; a changed one takes this run's
SET l += row.props,
  l.ingest_run_id = CASE WHEN changed THEN $run.run_id ELSE l.ingest_run_id END,
  l.learnt_at = CASE WHEN changed THEN $run.learnt_at ELSE l.learnt_at END
RETURN collect(row.idx) AS written

// Purpose: facts by key, each with its provenance and every record involved (person id, role, record key):
//   the evidence behind an alert, re-read from the graph so that it can be traced to its source records.
// Serves: issue 6's rule that every alert and every risk contribution can be traced to its source records;
//   NPCC guidance s8 (accurate; fact and opinion distinguishable).
// Parameters: $fact_keys (list of str)
// Returns: fact (map of the fact's properties, raw_json and the versioning bookkeeping (row_hash, ingest_run_id, valid_from,
//   first_learnt_at, learnt_at) left out: the evidence never shows them, and each datetime costs the driver a slow
//   conversion in Python), labels (list), everyone (list of
//   {person_id, role, record_key, agency})
UNWIND $fact_keys AS key
MATCH (f:Fact {fact_key: key})
CALL (f) {
  MATCH (f)<-[i:INVOLVED_IN]-(r:SourceRecord)
  OPTIONAL MATCH (r)-[:RECORD_OF]->(p:Person)
  RETURN collect({person_id: p.person_id, role: i.role, record_key: r.record_key, agency: r.agency}) AS everyone
}
RETURN f {.*, raw_json: null, row_hash: null, ingest_run_id: null, valid_from: null, first_learnt_at: null,
  learnt_at: null} AS fact, labels(f) AS labels, everyone
ORDER BY f.occurred_on, f.fact_key

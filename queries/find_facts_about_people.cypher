// Purpose: every fact (incident, referral, assessment and its factors, episode, plan, flag, the child's
//   views) in which any of the given people is involved, in each one's window, plus facts that happened at
//   the given addresses in the given periods (an incident at the child's home where the child was not named).
//   Each fact comes with its provenance (agency, system, table, record id, who recorded it, when, fact or
//   opinion), the given people's roles in it, and everyone else involved. An episode, plan or flag with no
//   end date counts as still going. A fact recorded without a date of its own (a CIN assessment factor) takes
//   the date of the fact it is PART_OF (the assessment's authorisation, else its start), and says so
//   (dated_by = that fact's key).
// Serves: NPCC guidance s7 (building the picture), s8 (fact and opinion distinguishable), s10 ("a chronology of
//   prior concerns"); the national review of Arthur and Star (each agency held a piece of the jigsaw).
// Parameters: $people: list of {key, person_id, relation, from (date), to (date)};
//   $places: list of {key, address_key, from (date), to (date)}. `key` groups the answer (e.g. the child's id).
// Returns: key, fact (map of the fact's properties, raw_json and the versioning bookkeeping (row_hash, ingest_run_id, valid_from,
//   first_learnt_at) left out: the evidence never shows them, and each datetime costs the driver a slow
//   conversion in Python (a third of a picture's time at 200,000 children); learnt_at, which the picture's
//   changes show, as ISO text for the same reason; occurred_on as dated, dated_by),
//   labels (list), involvements (list of
//   {person_id, relation, role, record_key, agency, address_key}), everyone (list of {person_id, role,
//   record_key, agency}: all records involved in the fact)
CALL () {
  UNWIND $people AS who
  MATCH (p:Person {person_id: who.person_id})<-[:RECORD_OF]-(r:SourceRecord)-[i:INVOLVED_IN]->(f:Fact)
  WITH who, p, r, i, f, CASE WHEN f.occurred_on IS NULL THEN COLLECT {
      MATCH (f)-[:PART_OF]->(x:Fact) WHERE coalesce(x.ended_on, x.occurred_on) IS NOT NULL
      RETURN {day: coalesce(x.ended_on, x.occurred_on), key: x.fact_key} AS d ORDER BY d.day LIMIT 1
    }[0] END AS inherited
  WITH who, p, r, i, f, inherited, coalesce(f.occurred_on, inherited.day) AS day
  WHERE (day IS NULL OR day <= who.to)
    AND coalesce(f.ended_on, CASE WHEN f:Episode OR f:Plan OR f:Flag THEN who.to END, day, who.from) >= who.from
  RETURN who.key AS key, f, day, inherited.key AS dated_by,
    {person_id: p.person_id, relation: who.relation, role: i.role, record_key: r.record_key, agency: r.agency,
     address_key: null} AS inv
  UNION
  UNWIND $places AS pl
  MATCH (a:Address {address_key: pl.address_key})<-[:AT]-(f:Fact)
  WHERE f.occurred_on >= pl.from AND f.occurred_on <= pl.to
  RETURN pl.key AS key, f, f.occurred_on AS day, null AS dated_by,
    {person_id: null, relation: 'at_address', role: null, record_key: null, agency: f.agency,
     address_key: a.address_key} AS inv
}
WITH key, f, day, dated_by, collect(DISTINCT inv) AS involvements
CALL (f) {
  MATCH (f)<-[i:INVOLVED_IN]-(r:SourceRecord)
  OPTIONAL MATCH (r)-[:RECORD_OF]->(p:Person)
  RETURN collect({person_id: p.person_id, role: i.role, record_key: r.record_key, agency: r.agency}) AS everyone
}
RETURN key, f {.*, raw_json: null, row_hash: null, ingest_run_id: null, valid_from: null, first_learnt_at: null,
  learnt_at: toString(f.learnt_at), occurred_on: day, dated_by: dated_by} AS fact, labels(f) AS labels, involvements,
  everyone
ORDER BY key, day, f.fact_key

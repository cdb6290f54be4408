// Purpose: the facts that can make up each given adult's own history: facts of $history_types in which the
//   adult is involved (any role: the caller weighs roles with the adult_history indicators of
//   risk_weights.yaml), dated up to $reference_date, with the adult's own involvements. Unlike
//   find_facts_about_people it reads only those fact types and not everyone else involved: an adult sweep
//   weighs tens of thousands of adults, and their other facts (appointments, attendances) weigh nothing.
//   A fact recorded without a date of its own takes the date of the fact it is PART_OF, as there.
// Serves: "The myth of invisible men" (the man's own history); NPCC guidance s7 ("linked to the same risk").
// Parameters: $person_ids (list of person ids), $history_types (list), $reference_date (date)
// Returns: key (the person id), fact (map of the fact's properties without raw_json and the versioning
//   bookkeeping, learnt_at included: a datetime costs the driver a slow conversion; occurred_on as dated,
//   dated_by), labels (list), involvements (list of {person_id, relation: 'self', role, record_key, agency,
//   address_key: null})
UNWIND $person_ids AS person_id
MATCH (p:Person {person_id: person_id})<-[:RECORD_OF]-(r:SourceRecord)-[i:INVOLVED_IN]->(f:Fact)
WHERE f.fact_type IN $history_types
WITH p, r, i, f, CASE WHEN f.occurred_on IS NULL THEN COLLECT {
    MATCH (f)-[:PART_OF]->(x:Fact) WHERE coalesce(x.ended_on, x.occurred_on) IS NOT NULL
    RETURN {day: coalesce(x.ended_on, x.occurred_on), key: x.fact_key} AS d ORDER BY d.day LIMIT 1
  }[0] END AS inherited
WITH p, r, i, f, inherited, coalesce(f.occurred_on, inherited.day) AS day
WHERE day IS NULL OR day <= $reference_date
WITH p, f, day, inherited.key AS dated_by,
  collect(DISTINCT {person_id: p.person_id, relation: 'self', role: i.role, record_key: r.record_key,
                    agency: r.agency, address_key: null}) AS involvements
RETURN p.person_id AS key, f {.*, raw_json: null, row_hash: null, ingest_run_id: null, valid_from: null,
  first_learnt_at: null, learnt_at: null, occurred_on: day, dated_by: dated_by} AS fact, labels(f) AS labels,
  involvements
ORDER BY key, day, f.fact_key

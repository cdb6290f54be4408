// Purpose: adults (18 or over at $reference_date, or of unknown age) with a history that can put children at
//   risk: facts of $history_types in which they have one of $roles (offending and DA markers, MAPPA,
//   probation supervision, DA incidents as suspect, crimes as suspect or offender). The caller weighs the
//   history with the adult_history indicators of risk_weights.yaml.
// Serves: NPCC guidance s7 ("when multiple children or young people appear linked to the same risk"); "The
//   myth of invisible men" (the man's own history); the starting point of the sweeps for hidden adults and
//   adults linked to several households.
// Parameters: $history_types (list), $roles (list), $reference_date (date)
// Returns: person_id, facts (int: how many such facts)
MATCH (f:Fact)
WHERE f.fact_type IN $history_types AND (f.occurred_on IS NULL OR f.occurred_on <= $reference_date)
MATCH (f)<-[i:INVOLVED_IN]-(:SourceRecord)-[:RECORD_OF]->(p:Person)
WHERE i.role IN $roles AND NOT p:Unborn
  AND (p.date_of_birth IS NULL OR p.date_of_birth <= $reference_date - duration({years: 18}))
RETURN p.person_id AS person_id, count(DISTINCT f) AS facts
ORDER BY person_id

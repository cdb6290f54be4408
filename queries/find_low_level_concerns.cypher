// Purpose: the lower-level concerns about each child (facts of $fact_types naming the child; for a type with a
//   property in $require, only facts where that property is true, e.g. absence only when persistent), for children with
//   at least $min_concerns of them from at least $min_agencies agencies, with the child's referrals,
//   assessments and episodes (the responses). The caller looks for the build-up within a rolling window with
//   no response (queries/patterns.py).
// Serves: NPCC guidance s7 (sharing lower-level information to identify patterns) and s5 (Munro: "the
//   totality of information, the overall pattern of the child's story"); the national review of Arthur and
//   Star (evidence not pieced together).
// Parameters: $fact_types (list), $require (map: fact type -> property that must be true), $response_types
//   (list), $min_concerns (int), $min_agencies (int),
//   $reference_date (date), $since (date or null)
// Returns: person_id (the child), concerns (list of {fact_key, fact_type, occurred_on, agency}), responses
//   (list of {fact_key, fact_type, occurred_on, ended_on})
MATCH (f:Fact)
WHERE f.fact_type IN $fact_types AND f.occurred_on <= $reference_date
  AND ($require[f.fact_type] IS NULL OR f[$require[f.fact_type]] = true)
  AND ($since IS NULL OR f.occurred_on >= $since)
MATCH (f)<-[i:INVOLVED_IN]-(:SourceRecord)-[:RECORD_OF]->(ch:Person)
WHERE NOT i.role IN ['referrer', 'reporter']
  AND ch.date_of_birth <= f.occurred_on AND ch.date_of_birth > f.occurred_on - duration({years: 18})
WITH ch, collect(DISTINCT {fact_key: f.fact_key, fact_type: f.fact_type, occurred_on: f.occurred_on,
  agency: f.agency}) AS concerns, count(DISTINCT f.agency) AS agencies
WHERE size(concerns) >= $min_concerns AND agencies >= $min_agencies
CALL (ch) {
  OPTIONAL MATCH (ch)<-[:RECORD_OF]-(:SourceRecord)-[:INVOLVED_IN]->(s:Fact)
  WHERE s.fact_type IN $response_types
  RETURN [x IN collect(DISTINCT {fact_key: s.fact_key, fact_type: s.fact_type, occurred_on: s.occurred_on,
    ended_on: s.ended_on}) WHERE x.fact_key IS NOT NULL] AS responses
}
RETURN ch.person_id AS person_id, concerns, responses
ORDER BY person_id

// Purpose: every police domestic abuse incident around each child: the child named in it (any role), or a
//   parent, step-parent or carer of the child (as recorded at the time) the victim or suspect. Only children
//   with at least $min_incidents such incidents are returned; the caller looks for $min_incidents within a
//   rolling window (queries/patterns.py).
// Serves: the MARAC referral criterion in the glossary (commonly 3+ police-reported DA incidents in 12 months);
//   NPCC guidance s7 (patterns of behaviour; cumulative risk, s8).
// Parameters: $min_incidents (int), $reference_date (date), $since (date or null)
// Returns: person_id (the child), incidents (list of {fact_key, occurred_on, dash_grade, how (list of str),
//   via (list of person ids: the parent or carer involved)})
// :Fact too, so that the planner starts from the fact type index (9,000 DA incidents), not from every event
MATCH (f:Event:Fact)
WHERE f.fact_type = 'da_incident' AND f.agency = 'police' AND f.occurred_on <= $reference_date
  AND ($since IS NULL OR f.occurred_on >= $since)
CALL (f) {
  MATCH (f)<-[i:INVOLVED_IN]-(:SourceRecord)-[:RECORD_OF]->(ch:Person)
  WHERE ch:Unborn
    OR (ch.date_of_birth <= f.occurred_on AND ch.date_of_birth > f.occurred_on - duration({years: 18}))
  RETURN ch, 'named: ' + i.role AS how, null AS via
  UNION
  // two MATCH clauses: the record in the incident may be the very record that holds the relationship
  MATCH (f)<-[i:INVOLVED_IN]-(:SourceRecord)-[:RECORD_OF]->(adult:Person)
  WHERE i.role IN ['victim', 'suspect']
  MATCH (adult)<-[:RECORD_OF]-(ar:SourceRecord)-[l:RELATED_TO]-(cr:SourceRecord)-[:RECORD_OF]->(ch:Person)
  WHERE ch <> adult
    AND ((startNode(l) = ar AND l.type IN ['parent', 'step_parent', 'carer'])
      OR (startNode(l) = cr AND l.type = 'child'))
    AND (ch:Unborn
      OR (ch.date_of_birth <= f.occurred_on AND ch.date_of_birth > f.occurred_on - duration({years: 18})))
    AND coalesce(l.from, f.occurred_on) <= f.occurred_on AND coalesce(l.to, f.occurred_on) >= f.occurred_on
  RETURN ch, l.type + ' of the child is the ' + i.role AS how, adult.person_id AS via
}
WITH ch, f, collect(DISTINCT how) AS how, [x IN collect(DISTINCT via) WHERE x IS NOT NULL] AS via
WITH ch, collect({fact_key: f.fact_key, occurred_on: f.occurred_on, dash_grade: f.dash_grade, how: how, via: via})
  AS incidents
WHERE size(incidents) >= $min_incidents
RETURN ch.person_id AS person_id, incidents
ORDER BY person_id

// Purpose: early help episodes closed because the family did not agree to take the service (closure reason in
//   $closure_reasons, or consent to the service in $consent_values), with the child, the closure, whether early
//   help noted risk at closure, and the referral it was stepped down from (if recorded). Whether risk was
//   present from other agencies is weighed by the caller (queries/patterns.py) with the cumulative risk
//   indicators.
// Serves: NPCC guidance s6 (consent to a service is not consent to share; reticence may indicate risk) and s9
//   case studies 3 and 4 (stepped down to early help, closed for lack of consent, child left without support:
//   escalate).
// Parameters: $closure_reasons (list), $consent_values (list), $reference_date (date), $since (date or null)
// Returns: person_id (the child), fact_key, started_on, closed_on, closure_reason, consent_to_service,
//   risk_noted_at_closure, stepped_down_from_key, record_key
MATCH (eh:Episode)
WHERE eh.fact_type = 'early_help_episode' AND eh.ended_on IS NOT NULL AND eh.ended_on <= $reference_date
  AND (eh.closure_reason IN $closure_reasons OR eh.consent_to_service IN $consent_values)
  AND ($since IS NULL OR eh.ended_on >= $since)
MATCH (eh)<-[i:INVOLVED_IN]-(r:SourceRecord)-[:RECORD_OF]->(ch:Person)
WHERE i.role = 'subject'
RETURN ch.person_id AS person_id, eh.fact_key AS fact_key, eh.occurred_on AS started_on, eh.ended_on AS closed_on,
  eh.closure_reason AS closure_reason, eh.consent_to_service AS consent_to_service,
  eh.risk_noted_at_closure AS risk_noted_at_closure, eh.stepped_down_from_key AS stepped_down_from_key,
  r.record_key AS record_key
ORDER BY person_id, closed_on, fact_key

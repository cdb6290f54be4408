// Purpose: referrals to children's social care with no feedback to the referrer recorded by the end of the
//   $working_days-th working day after the referral (weekends and $holidays skipped), as at $reference_date.
//   With $include_late, also referrals whose feedback was recorded after that day.
// Serves: Working Together ("decision and acknowledgement to the referrer within 1 working day"; the duty to
//   give feedback to referrers), quoted in NPCC guidance s5; s10 (information acted on).
// Parameters: $fact_types (list), $source_systems (list: the systems that record feedback at all),
//   $working_days (int >= 1), $holidays (list of dates),
//   $no_feedback_source_codes (list of referral source codes that cannot get feedback: anonymous, unknown),
//   $include_late (bool), $reference_date (date), $since (date or null)
// Returns: person_id (the child), fact_key (the referral), occurred_on, due_on, feedback_on, referral_source,
//   record_key (the child's record on the referral)
// :Fact too, so that the planner starts from the fact type index, not from every contact and referral
MATCH (ref:Referral:Fact)
WHERE ref.fact_type IN $fact_types AND ref.agency = 'csc' AND ref.source_system IN $source_systems
  AND ref.occurred_on < $reference_date
  AND ($since IS NULL OR ref.occurred_on >= $since)
  AND NOT coalesce(toString(ref.referral_source), '') IN $no_feedback_source_codes
WITH ref, [d IN [x IN range(1, 2 * $working_days + 14) | ref.occurred_on + duration({days: x})]
  WHERE d.dayOfWeek <= 5 AND NOT d IN $holidays][$working_days - 1] AS due
WHERE due < $reference_date
  AND ((ref.feedback_on IS NULL OR ref.feedback_on > $reference_date)
    OR ($include_late AND ref.feedback_on > due))
MATCH (ref)<-[i:INVOLVED_IN]-(r:SourceRecord)-[:RECORD_OF]->(ch:Person)
WHERE NOT i.role IN ['referrer', 'reporter']
RETURN ch.person_id AS person_id, ref.fact_key AS fact_key, ref.occurred_on AS occurred_on, due AS due_on,
  ref.feedback_on AS feedback_on, ref.referral_source AS referral_source, r.record_key AS record_key
ORDER BY person_id, occurred_on, fact_key

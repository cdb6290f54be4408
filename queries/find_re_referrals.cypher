// Purpose: re-referrals: a referral of a child within $within_days of the child's previous referral (the most
//   recent earlier one), as the DfE counts them. A referral less than $same_referral_days after another is the
//   same referral recorded twice (the SSD and the CIN census both hold it), not a re-referral.
// Serves: NPCC guidance s10 ("decisions not to proceed following a referral are based on a review of previous
//   history ... and a chronology of prior concerns"); the glossary's re-referral measure (22% in England).
// Parameters: $agencies (list: whose referrals count), $within_days (int), $same_referral_days (int),
//   $reference_date (date),
//   $since (date or null: only re-referrals on or after it)
// Returns: person_id (the child), fact_key (the re-referral), occurred_on, previous_key, previous_on, days_between,
//   record_key
// :Fact too, so that the planner starts from the fact type index, not from every contact and referral
MATCH (ref:Referral:Fact)
WHERE ref.fact_type = 'referral' AND ref.agency IN $agencies AND ref.occurred_on <= $reference_date
  AND ($since IS NULL OR ref.occurred_on >= $since)
MATCH (ref)<-[i:INVOLVED_IN]-(r:SourceRecord)-[:RECORD_OF]->(ch:Person)
WHERE NOT i.role IN ['referrer', 'reporter']
CALL (ch, ref) {
  MATCH (ch)<-[:RECORD_OF]-(:SourceRecord)-[j:INVOLVED_IN]->(prev:Referral)
  WHERE prev.fact_type = 'referral' AND prev.agency IN $agencies AND prev <> ref
    AND NOT j.role IN ['referrer', 'reporter']
    AND prev.occurred_on >= ref.occurred_on - duration({days: $within_days})
    AND prev.occurred_on <= ref.occurred_on - duration({days: $same_referral_days})
  RETURN prev ORDER BY prev.occurred_on DESC, prev.fact_key DESC LIMIT 1
}
RETURN DISTINCT ch.person_id AS person_id, ref.fact_key AS fact_key, ref.occurred_on AS occurred_on,
  prev.fact_key AS previous_key, prev.occurred_on AS previous_on,
  duration.inDays(prev.occurred_on, ref.occurred_on).days AS days_between, r.record_key AS record_key
ORDER BY person_id, occurred_on, fact_key

// Purpose: referrals or contacts deemed malicious with no multi-agency assessment: not recorded as having had
//   one (multi_agency_assessment is not true), and no assessment or s47 enquiry PART_OF the referral or about
//   the child within $assessment_days of it. Returns who deemed it malicious and who the referrer was (a
//   family member's referral dismissed as malicious: source bias).
// Serves: the national review of Arthur Labinjo-Hughes and Star Hobson, recommendation quoted in NPCC guidance
//   s8: "No referral is deemed malicious without a full and thorough multi-agency assessment, including
//   talking with the referrer, and agreement with the appropriate manager"; s10 (source bias).
// Parameters: $assessment_types (list), $assessment_days (int), $reference_date (date), $since (date or null)
// Returns: person_id (the child), fact_key, occurred_on, deemed_malicious_by_role, deemed_malicious_on,
//   referral_source, referrer_relationship, record_key
MATCH (ref:Referral)
WHERE ref.deemed_malicious = true AND ref.occurred_on <= $reference_date
  AND ($since IS NULL OR ref.occurred_on >= $since)
  AND coalesce(ref.multi_agency_assessment, false) <> true
  AND NOT EXISTS { MATCH (ref)<-[:PART_OF]-(a:Fact) WHERE a.fact_type IN $assessment_types }
MATCH (ref)<-[i:INVOLVED_IN]-(r:SourceRecord)-[:RECORD_OF]->(ch:Person)
WHERE NOT i.role IN ['referrer', 'reporter']
  AND NOT EXISTS {
    MATCH (ch)<-[:RECORD_OF]-(:SourceRecord)-[:INVOLVED_IN]->(a:Fact)
    WHERE a.fact_type IN $assessment_types AND a.occurred_on >= ref.occurred_on
      AND a.occurred_on <= ref.occurred_on + duration({days: $assessment_days})
  }
RETURN ch.person_id AS person_id, ref.fact_key AS fact_key, ref.occurred_on AS occurred_on,
  ref.deemed_malicious_by_role AS deemed_malicious_by_role, ref.deemed_malicious_on AS deemed_malicious_on,
  ref.referral_source AS referral_source, ref.referrer_relationship AS referrer_relationship,
  r.record_key AS record_key
ORDER BY person_id, occurred_on, fact_key

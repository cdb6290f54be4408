// Purpose: what each agency's extract covers, per source system and fact type: how many facts, how many carry a
//   given property, and the first and last dates. A pattern that finds the *absence* of something (no referral,
//   no feedback) only looks where the agency's extract could show it: from the first date it covers, and in the
//   source systems that record that property at all.
// Serves: NPCC guidance s8 ("information should be accurate"): an absence in the data is not an absence in
//   practice when the extract does not reach back that far or never records it.
// Parameters: $fact_types (list), $property (str or null: the property to count)
// Returns: agency, source_system, fact_type, facts (int), with_property (int), first (date), last (date)
MATCH (f:Fact)
WHERE f.fact_type IN $fact_types
RETURN f.agency AS agency, f.source_system AS source_system, f.fact_type AS fact_type, count(*) AS facts,
  count(CASE WHEN $property IS NULL THEN null ELSE f[$property] END) AS with_property, min(f.occurred_on) AS first,
  max(f.occurred_on) AS last
ORDER BY agency, source_system, fact_type

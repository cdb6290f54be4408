// Purpose: people an agency records as one household or family (ssd_family, housing occupants), with
//   the period and the member's role in props.
// Parameters: $rows: list of {idx (int), record_key, household (map with household_key), props (map)}
// Returns: written (list of idx whose record exists)
UNWIND $rows AS row
MATCH (r:SourceRecord {record_key: row.record_key})
MERGE (h:Household {household_key: row.household.household_key})
ON CREATE SET h += row.household
MERGE (r)-[m:MEMBER_OF]->(h)
SET m += row.props
RETURN collect(row.idx) AS written

// Purpose: a fact that belongs to another (an assessment factor to its assessment, an assessment or
//   s47 enquiry to its referral episode, a plan review to its plan).
// Parameters: $rows: list of {idx (int), fact_key, parent_key}
// Returns: written (list of idx whose both facts exist)
UNWIND $rows AS row
MATCH (f:Fact {fact_key: row.fact_key})
MATCH (p:Fact {fact_key: row.parent_key})
MERGE (f)-[:PART_OF]->(p)
RETURN collect(row.idx) AS written

// Purpose: where a fact happened (an incident's location, a tenancy's property).
// Parameters: $rows: list of {idx (int), fact_key, address (map with address_key)}
// Returns: written (list of idx whose fact exists)
UNWIND $rows AS row
MATCH (f:Fact {fact_key: row.fact_key})
MERGE (a:Address {address_key: row.address.address_key})
ON CREATE SET a += row.address
MERGE (f)-[:AT]->(a)
RETURN collect(row.idx) AS written

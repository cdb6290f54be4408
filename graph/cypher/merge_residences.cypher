// Purpose: where a person lived, per an agency's record: the normalised Address (UPRN or line+postcode)
//   and a time-bounded LIVED_AT (from/to in props, with provenance).
// Parameters: $rows: list of {idx (int), link_key, record_key, address (map with address_key), props (map)}
// Returns: written (list of idx whose record exists)
UNWIND $rows AS row
MATCH (r:SourceRecord {record_key: row.record_key})
MERGE (a:Address {address_key: row.address.address_key})
ON CREATE SET a += row.address
MERGE (r)-[l:LIVED_AT {link_key: row.link_key}]->(a)
SET l += row.props
RETURN collect(row.idx) AS written

// Purpose: a person-to-person relationship as one agency recorded it (parent, step_parent, partner,
//   ex_partner, sibling, carer, grandparent, associate, ...), time-bounded by from/to in props.
// Parameters: $rows: list of {idx (int), link_key, from_key, to_key, type, props (map)}
// Returns: written (list of idx whose both records exist)
UNWIND $rows AS row
MATCH (a:SourceRecord {record_key: row.from_key})
MATCH (b:SourceRecord {record_key: row.to_key})
MERGE (a)-[l:RELATED_TO {link_key: row.link_key}]->(b)
SET l += row.props, l.type = row.type
RETURN collect(row.idx) AS written

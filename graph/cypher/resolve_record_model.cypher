// Purpose: record a trained entity-resolution model: its version, when it was trained, where its JSON
//   parameters are and their SHA-256, so every run says which model linked the records.
// Parameters: $rows: list of one {version (int), props (map: trained_at, path, sha256, splink_version,
//   feature_version, records, labelled_pairs, seed)}
// Returns: version
UNWIND $rows AS row
MERGE (m:ResolutionModel {version: row.version})
SET m += row.props
RETURN m.version AS version

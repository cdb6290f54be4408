// Purpose: the trained entity-resolution models, newest first.
// Parameters: none
// Returns: version, props (map)
MATCH (m:ResolutionModel)
RETURN m.version AS version, properties(m) AS props
ORDER BY m.version DESC

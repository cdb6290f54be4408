// Purpose: the alerts about the given children (any status), newest first, for the case view.
// Serves: NPCC guidance s7 and s10: the picture shows what the pattern sweep found and what was decided.
// Parameters: $person_ids (list of str)
// Returns: alert (map of the alert's properties)
UNWIND $person_ids AS pid
MATCH (al:Alert {person_id: pid})
RETURN al {.*} AS alert
ORDER BY al.first_seen DESC, al.alert_key

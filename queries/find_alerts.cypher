// Purpose: the alert list: every alert, or those of some patterns and statuses, oldest open first.
// Serves: NPCC guidance s10 (what needs to happen once information is shared): the MASH's work queue.
// Parameters: $patterns (list of str, or null for all), $statuses (list of str, or null for all),
//   $active_only (bool: only alerts whose finding was seen in the latest sweep)
// Returns: alert (map of the alert's properties)
MATCH (al:Alert)
WHERE ($patterns IS NULL OR al.pattern IN $patterns) AND ($statuses IS NULL OR al.status IN $statuses)
  AND (NOT $active_only OR al.active = true)
RETURN al {.*} AS alert
ORDER BY al.first_seen, al.alert_key

// Purpose: after a sweep, mark the alerts of the patterns that ran but whose finding was not seen again as
//   inactive (the condition no longer holds, e.g. feedback was given late). Their status (the analyst's
//   lifecycle) is not touched: closing an alert is a person's decision, with a reason.
// Serves: NPCC guidance s10 (information acted on): the alert list shows what still stands.
// Parameters: $patterns (list of str), $run_id (str), $now (datetime)
// Returns: deactivated (int)
MATCH (al:Alert)
WHERE al.pattern IN $patterns AND al.last_run <> $run_id AND al.active = true
SET al.active = false, al.inactive_since = $now
RETURN count(al) AS deactivated

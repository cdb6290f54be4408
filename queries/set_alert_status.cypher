// Purpose: an analyst's decision on an alert: acknowledge, close or reopen it, with who, when and why, kept in
//   the alert's history. Closing remembers the evidence it was closed on, so the same evidence found again
//   does not reopen it.
// Serves: NPCC guidance s10 (decisions recorded with their rationale); the national review's recommendation that
//   decisions rest on a review of history, with manager agreement where needed.
// Parameters: $alert_key (str), $status (open, acknowledged or closed), $by (str), $reason (str), $now (datetime)
// Returns: alert (map of the alert's properties)
MATCH (al:Alert {alert_key: $alert_key})
SET al.status = $status, al.status_by = $by, al.status_at = $now, al.status_reason = $reason,
  al.history = coalesce(al.history, []) + [toString($now) + ' | ' + $status + ' | ' + $by + ' | ' + $reason],
  al.evidence_at_close = CASE WHEN $status = 'closed' THEN al.evidence_keys ELSE al.evidence_at_close END
RETURN al {.*} AS alert

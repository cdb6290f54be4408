// Purpose: inside a transaction that is always rolled back, put the alerts back as they stood at a past time:
//   an alert first raised since then is taken away; an alert whose status changed since then takes the status
//   its history gives at that time (who, when, why).
// Serves: issue 10 ("as known at"): a MASH supervisor checks a past decision against what was on the screen.
// Parameters: $at (datetime)
// Returns: removed (int), restored (int)
CALL () {
  MATCH (al:Alert) WHERE al.first_seen > $at
  DETACH DELETE al
  RETURN count(*) AS removed
}
CALL () {
  MATCH (al:Alert) WHERE al.status_at > $at
  WITH al, [h IN al.history WHERE datetime(split(h, ' | ')[0]) <= $at] AS before
  WITH al, before, split(before[-1], ' | ') AS last
  SET al.history = before, al.status = last[1], al.status_at = datetime(last[0]), al.status_by = last[2],
    al.status_reason = reduce(s = last[3], x IN last[4..] | s + ' | ' + x)
  RETURN count(*) AS restored
}
RETURN removed, restored

package syncspec

import "fmt"

// OwnedElsewhere is the one message for a lake table that another sync
// configuration owns: the API's 409 when a sync is saved and a run's failed
// table both say it, naming the table and the integration whose sync owns it.
func OwnedElsewhere(destSchema, destTable, ownerName, ownerID string) string {
	return fmt.Sprintf("lake table %s.%s is written by the sync of integration %q (%s); every lake table has one owner, "+
		"so give this sync another dest_schema, leave the table out, or delete that sync first (DELETE /v1/api/integrations/%s/sync)",
		destSchema, destTable, ownerName, ownerID, ownerID)
}

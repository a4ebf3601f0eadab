package observability

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// TaskRunWorkflowID is the id of the TaskRunWorkflow of a team's task_id. It is
// derived, not stored, so a start and an end reach the same workflow without a
// lookup. A task_id made only of letters, digits and ._- is used as is; any
// other is shortened to its safe characters and suffixed with a hash of the
// whole id, so the id stays readable, unique and free of odd characters.
func TaskRunWorkflowID(teamID uuid.UUID, taskID string) string {
	const prefix = "task-run/"
	if plainID(taskID) {
		return prefix + teamID.String() + "/" + taskID
	}
	sum := sha256.Sum256([]byte(taskID))
	var safe strings.Builder
	for _, r := range taskID {
		if safe.Len() >= 48 {
			break
		}
		switch {
		case plainRune(r):
			safe.WriteRune(r)
		case r == ' ' || r == ':' || r == '/':
			safe.WriteByte('_')
		}
	}
	return fmt.Sprintf("%s%s/%s~%s", prefix, teamID, safe.String(), hex.EncodeToString(sum[:8]))
}

func plainID(id string) bool {
	if id == "" || len(id) > 100 {
		return false
	}
	for _, r := range id {
		if !plainRune(r) {
			return false
		}
	}
	return true
}

func plainRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-'
}

// pitLayouts are the forms an app_pit may take, most specific first. A time
// without a zone is UTC.
var pitLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02",
}

// ParseTime reads a point in time as pipelines send it: a date
// ("2025-09-01"), a date and time with or without a zone
// ("2025-09-01T10:00:00", "2025-09-01 10:00:00.123456", RFC 3339). A time
// without a zone is taken as UTC.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range pitLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date or a date-time (e.g. 2025-09-01 or 2025-09-01T10:00:00Z)", s)
}

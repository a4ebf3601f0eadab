package postgres

import "github.com/jackc/pglogrepl"

// SetReadAheadWAL sets the WAL a ChangeReader decodes per read, returning
// a function that restores it.
func SetReadAheadWAL(n pglogrepl.LSN) func() {
	old := readAheadWAL
	readAheadWAL = n
	return func() { readAheadWAL = old }
}

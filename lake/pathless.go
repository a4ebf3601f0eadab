package lake

import "strings"

// pathlessError is an error whose text names the lake's directory as
// "<lake>": write and commit errors end up in sync runs' messages, which
// users of every team read, and the server's directory layout is not theirs
// to see. Unwrap keeps the original, so errors.Is and errors.As still work.
type pathlessError struct {
	err error
	msg string
}

func (e *pathlessError) Error() string { return e.msg }
func (e *pathlessError) Unwrap() error { return e.err }

// hidePath returns err with the lake's data path in its text replaced by
// "<lake>", the form query errors already use.
func (l *Lake) hidePath(err error) error {
	if err == nil || l.dataPath == "" {
		return err
	}
	msg := err.Error()
	if !strings.Contains(msg, l.dataPath) {
		return err
	}
	return &pathlessError{err: err, msg: strings.ReplaceAll(msg, l.dataPath, "<lake>")}
}

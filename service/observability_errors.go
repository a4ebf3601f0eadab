package service

import "fmt"

// MissingError is a not-found with a message that says what is missing and,
// where it helps, what to do (a transformation reported before its task
// started). It matches ErrNotFound under errors.Is.
type MissingError struct{ What string }

func (e *MissingError) Error() string { return e.What }

// Is makes errors.Is(err, ErrNotFound) hold for a MissingError.
func (e *MissingError) Is(target error) bool { return target == ErrNotFound }

// ConflictError means the request contradicts what is already recorded (a
// task_id reused by another task, an end for a run that timed out).
type ConflictError struct{ What string }

func (e *ConflictError) Error() string { return e.What }

// TooManyError means a request carries more items than one request may.
type TooManyError struct {
	Field string
	Count int
	Max   int
}

func (e *TooManyError) Error() string {
	return fmt.Sprintf("%s has %d items; at most %d are accepted per request", e.Field, e.Count, e.Max)
}

func taskNotStarted(taskID string) error {
	return &MissingError{What: fmt.Sprintf("task %q has not started; report it with POST /log/task (status start) first", taskID)}
}

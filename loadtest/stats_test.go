package loadtest

import (
	"errors"
	"net/http"
	"testing"
	"time"
)

func TestPercentileByNearestRank(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	cases := map[float64]time.Duration{0.5: 50 * time.Millisecond, 0.99: 99 * time.Millisecond, 1: 100 * time.Millisecond, 0.001: time.Millisecond}
	for q, want := range cases {
		if got := Percentile(ds, q); got != want {
			t.Errorf("Percentile(%v) = %v, want %v", q, got, want)
		}
	}
	if Percentile(nil, 0.5) != 0 {
		t.Error("Percentile of no samples is not 0")
	}
}

func TestRecorderClassifiesAnswers(t *testing.T) {
	rec := NewRecorder()
	rec.Record("r", Result{Status: http.StatusOK, Latency: time.Millisecond})
	rec.Record("r", Result{Status: http.StatusServiceUnavailable, RetryAfter: true})
	rec.Record("r", Result{Status: http.StatusTooManyRequests})
	rec.Record("r", Result{Status: http.StatusInternalServerError, Body: []byte(`{"error":{}}`)})
	rec.Record("r", Result{Status: http.StatusNotFound})
	rec.Record("r", Result{Err: errors.New("reset")})
	st := rec.Total()
	if st.Requests != 6 || len(st.Accepted) != 1 || len(st.Refused) != 2 || st.RefusedWithoutRetryAfter != 1 ||
		st.ServerErrors != 2 || st.Unavailable != 1 || otherServerErrors(st) != 1 || st.ClientErrors != 1 || st.TransportErrors != 1 {
		t.Fatalf("stats = %+v", st)
	}
	if got := st.SuccessRate(); got < 0.16 || got > 0.17 {
		t.Fatalf("success rate = %v, want 1/6", got)
	}
}

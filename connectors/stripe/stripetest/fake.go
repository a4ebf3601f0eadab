package stripetest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Server is an in-process FAKE of Stripe's list endpoints
// (GET /v1/<objects>) and events (GET /v1/events) in Stripe's documented
// list format, with state: objects added and changed by the test, newest
// first, paged by limit and starting_after, filtered by created[gt] and by
// an event type pattern ("customer.*"). It is not Stripe: objects have only
// the properties a test gives them.
type Server struct {
	// Key is the API key it accepts (as "Authorization: Bearer <Key>").
	Key string
	// Throttle answers this many next requests 429 with Retry-After: 1.
	Throttle atomic.Int64
	// Throttled counts the 429 answers sent.
	Throttled atomic.Int64

	mu      sync.Mutex
	objects map[string][]map[string]any // by list path
	events  []map[string]any            // in the order they happened
	raw     map[string]string           // answers that replace a path's list
	queries []string                    // every request's path and query
	stall   string                      // a query part whose first request hangs
}

// StallOnce makes the first request whose path and query contain match hang
// until the client gives up: a source that stops answering mid-stream.
func (s *Server) StallOnce(match string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stall = match
}

// Add stores an object of a list path ("/v1/customers"); it must have an
// id and a created time.
func (s *Server) Add(path string, obj map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.objects == nil {
		s.objects = map[string][]map[string]any{}
	}
	s.objects[path] = append(s.objects[path], obj)
}

// Change applies changes to a stored object and records the event Stripe
// would send (type <object>.<verb>, created at) with its new state. Verb
// "deleted" also removes the object from its list.
func (s *Server) Change(path, id, verb string, at int64, changes map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	objs := s.objects[path]
	i := slices.IndexFunc(objs, func(o map[string]any) bool { return o["id"] == id })
	if i < 0 {
		panic("stripetest: no object " + id + " in " + path)
	}
	maps.Copy(objs[i], changes)
	state := maps.Clone(objs[i])
	if verb == "deleted" {
		s.objects[path] = slices.Delete(objs, i, i+1)
	}
	s.events = append(s.events, map[string]any{
		"id": fmt.Sprintf("evt_%04d", len(s.events)+1), "object": "event", "created": at,
		"type": fmt.Sprintf("%s.%s", state["object"], verb), "data": map[string]any{"object": state},
	})
}

// Answer makes every request to path answer body as it is (HTTP 200).
func (s *Server) Answer(path, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.raw == nil {
		s.raw = map[string]string{}
	}
	s.raw[path] = body
}

// Queries returns every request's path and decoded query, in order.
func (s *Server) Queries() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.queries)
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	query, _ := url.QueryUnescape(r.URL.RawQuery)
	s.mu.Lock()
	s.queries = append(s.queries, r.URL.Path+"?"+query)
	raw, isRaw := s.raw[r.URL.Path]
	stall := s.stall != "" && strings.Contains(r.URL.Path+"?"+query, s.stall)
	if stall {
		s.stall = ""
	}
	s.mu.Unlock()
	if stall {
		<-r.Context().Done()
		return
	}
	switch {
	case r.Header.Get("Authorization") != "Bearer "+s.Key:
		writeError(w, http.StatusUnauthorized, "Invalid API Key provided: "+strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	case s.takeThrottle():
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusTooManyRequests, "Too many requests")
	case isRaw:
		_, _ = w.Write([]byte(raw))
	default:
		s.list(w, r)
	}
}

// takeThrottle counts down Throttle and says whether this request is refused.
func (s *Server) takeThrottle() bool {
	for {
		n := s.Throttle.Load()
		if n <= 0 {
			return false
		}
		if s.Throttle.CompareAndSwap(n, n-1) {
			s.Throttled.Add(1)
			return true
		}
	}
}

// list answers one page of a list path, newest first.
func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	var all []map[string]any
	if r.URL.Path == "/v1/events" {
		all = slices.Clone(s.events)
	} else {
		all = slices.Clone(s.objects[r.URL.Path]) // a path without objects is an empty list
	}
	s.mu.Unlock()
	// Newest first; among equals, the later added first, as Stripe's ids are.
	slices.Reverse(all)
	slices.SortStableFunc(all, func(a, b map[string]any) int { return int(created(b) - created(a)) })
	gt, hasGT := int64(0), q.Get("created[gt]") != ""
	if hasGT {
		gt, _ = strconv.ParseInt(q.Get("created[gt]"), 10, 64)
	}
	pattern := strings.TrimSuffix(q.Get("type"), "*")
	var kept []map[string]any
	for _, o := range all {
		typ, _ := o["type"].(string)
		if (!hasGT || created(o) > gt) && (pattern == "" || strings.HasPrefix(typ, pattern)) {
			kept = append(kept, o)
		}
	}
	if after := q.Get("starting_after"); after != "" {
		i := slices.IndexFunc(kept, func(o map[string]any) bool { return o["id"] == after })
		if i < 0 {
			writeError(w, http.StatusBadRequest, "No such object: '"+after+"'")
			return
		}
		kept = kept[i+1:]
	}
	limit, err := strconv.Atoi(q.Get("limit"))
	if err != nil || limit < 1 || limit > 100 {
		limit = 10
	}
	hasMore := len(kept) > limit
	kept = kept[:min(limit, len(kept))]
	if kept == nil {
		kept = []map[string]any{}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"object": "list", "url": r.URL.Path, "has_more": hasMore, "data": kept})
}

func created(o map[string]any) int64 {
	switch v := o["created"].(type) {
	case int64:
		return v
	case int:
		return int64(v)
	case float64:
		return int64(v)
	}
	return 0
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"type": "invalid_request_error", "message": msg}})
}

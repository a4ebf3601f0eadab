package stripe

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/connectors/httpapi"
)

// cursorField is the one field a Stripe stream is read incrementally by:
// every list endpoint filters on it (created[gt]).
const cursorField = "created"

// maxChangedObjects bounds the objects one read's change pass remembers
// (an id each, some 100 bytes with the map's overhead) to send each once:
// about 50 MB at most.
const maxChangedObjects = 500_000

// Read reads a stream. A full read lists every object, newest first. An
// incremental read (cursor field created, after a first run) lists the
// objects created since the cursor, then reads /v1/events since the cursor
// for the stream's objects that changed, and sends each changed object's
// latest state, so a merge brings updates into the lake. Deleted objects
// are not sent: delete_mode hard or soft removes them (it lists every id).
//
// When the sink takes chunks and the read is ordered (a sync's copy), the
// list pass marks a resume point at a page boundary every ChunkRows rows or
// checkpointEvery, whichever comes first: the point is the last object
// listed, and a read resumed from it asks for the page starting after it.
// The change pass is short and is read again whole after an interruption.
func (c *Connector) Read(ctx context.Context, req connectors.ReadRequest, sink connectors.RowSink) (connectors.ReadStats, error) {
	s, err := streamOf(req.Table)
	if err != nil {
		return connectors.ReadStats{}, err
	}
	proj, err := s.Project(req.Columns)
	if err != nil {
		return connectors.ReadStats{}, &connectors.QueryError{Kind: connectors.QueryErrNotFound, Message: err.Error()}
	}
	since, err := cursorSince(req)
	if err != nil {
		return connectors.ReadStats{}, err
	}
	resume, err := parseResume(req.ResumeAfter)
	if err != nil {
		return connectors.ReadStats{}, err
	}
	r := &streamRead{c: c, s: s, proj: proj, sink: sink, since: since, chunkRows: max(req.ChunkRows, 1), lastMark: time.Now()}
	if chunks, ok := sink.(connectors.ChunkSink); ok && len(req.OrderBy) > 0 {
		r.chunks = chunks
	}
	if resume.ListStart == 0 {
		resume.ListStart = time.Now().Unix()
	}
	if !resume.Listed {
		if err := r.list(ctx, resume); err != nil {
			return r.stats, fmt.Errorf("read stripe.%s: %w", s.Name, err)
		}
	}
	if !since.IsZero() && s.events != "" {
		if err := r.changes(ctx, resume.ListStart); err != nil {
			return r.stats, fmt.Errorf("read the changes of stripe.%s: %w", s.Name, err)
		}
	}
	if !r.maxCursor.IsZero() {
		r.stats.MaxCursor = r.maxCursor
	}
	return r.stats, nil
}

// streamRead is one Read in progress.
type streamRead struct {
	c         *Connector
	s         stream
	proj      httpapi.Projection
	sink      connectors.RowSink
	chunks    connectors.ChunkSink
	since     time.Time
	chunkRows int
	// pending are rows sent since the last resume point.
	pending   int
	lastMark  time.Time
	maxCursor time.Time
	stats     connectors.ReadStats
}

// list walks the stream's list endpoint from the resume point on.
func (r *streamRead) list(ctx context.Context, from resumeKey) error {
	query := url.Values{}
	for k, v := range r.s.query {
		query[k] = v
	}
	if !r.since.IsZero() {
		query.Set("created[gt]", strconv.FormatInt(r.since.Unix(), 10))
	}
	var lastID string
	err := r.c.client.Walk(ctx, listPager{}, r.s.path, query, from.After, func(page httpapi.Page) error {
		r.stats.Bytes += int64(page.Bytes)
		rows := make([][]any, 0, len(page.Objects))
		for _, obj := range page.Objects {
			row, err := r.row(obj)
			if err != nil {
				return err
			}
			rows = append(rows, row)
			r.noteCursor(obj[cursorField])
			if err := json.Unmarshal(obj["id"], &lastID); err != nil {
				return &httpapi.FormatError{API: "Stripe", Path: r.s.path, Problem: "an object has no id"}
			}
		}
		if err := r.send(ctx, rows); err != nil {
			return err
		}
		if r.chunks != nil && r.pending > 0 && page.Next != "" && (r.pending >= r.chunkRows || time.Since(r.lastMark) >= r.c.checkpointEvery) {
			return r.mark(ctx, resumeKey{After: lastID, ListStart: from.ListStart})
		}
		return nil
	})
	if err != nil {
		return err
	}
	if r.chunks != nil && r.pending > 0 {
		return r.mark(ctx, resumeKey{Listed: true, After: lastID, ListStart: from.ListStart})
	}
	return nil
}

// changes reads the events since the cursor, newest first, and sends the
// latest state of each of the stream's objects they carry, skipping those
// the list pass sent with a state at least as new: created after the cursor
// and before the list pass began.
func (r *streamRead) changes(ctx context.Context, listStart int64) error {
	query := url.Values{"type": {r.s.events}, "created[gt]": {strconv.FormatInt(r.since.Unix(), 10)}}
	seen := map[string]bool{}
	return r.c.client.Walk(ctx, listPager{}, "/v1/events", query, "", func(page httpapi.Page) error {
		r.stats.Bytes += int64(page.Bytes)
		var rows [][]any
		for _, raw := range page.Objects {
			ev, err := parseEvent(raw)
			if err != nil {
				return err
			}
			r.noteCursor(raw["created"])
			if ev.objectType != r.s.object || seen[ev.objectID] {
				continue
			}
			if seen[ev.objectID] = true; len(seen) > maxChangedObjects {
				return fmt.Errorf("more than %d objects changed since the last sync; sync this stream once without cursor_field (a full read) instead", maxChangedObjects)
			}
			if ev.deleted || (ev.objectCreated > r.since.Unix() && ev.objectCreated < listStart) {
				continue
			}
			row, err := r.row(ev.object)
			if err != nil {
				return err
			}
			rows = append(rows, row)
		}
		return r.send(ctx, rows)
	})
}

// row converts an object, naming it in a failure.
func (r *streamRead) row(obj map[string]json.RawMessage) ([]any, error) {
	row, err := r.proj.Row(obj)
	if err != nil {
		return nil, &httpapi.FormatError{API: "Stripe", Path: r.s.path, Problem: fmt.Sprintf("object %s: %v", obj["id"], err)}
	}
	return row, nil
}

func (r *streamRead) send(ctx context.Context, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	r.stats.Rows += int64(len(rows))
	r.pending += len(rows)
	return r.sink.WriteBatch(ctx, rows)
}

// mark records a resume point: everything sent so far is delivered.
func (r *streamRead) mark(ctx context.Context, key resumeKey) error {
	r.pending, r.lastMark = 0, time.Now()
	return r.chunks.ChunkDone(ctx, key.encode())
}

// noteCursor keeps the greatest created time seen (an object's or an
// event's), which the next incremental read starts after.
func (r *streamRead) noteCursor(raw json.RawMessage) {
	if secs, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
		if t := time.Unix(secs, 0).UTC(); t.After(r.maxCursor) {
			r.maxCursor = t
		}
	}
}

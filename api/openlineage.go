package api

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sluice-dev/sluice/openlineage"
	"github.com/sluice-dev/sluice/service"
)

// maxOpenLineageBytes bounds an OpenLineage event. Emitters such as Spark
// attach plans and SQL as facets, so events are allowed more than other bodies.
const maxOpenLineageBytes = 4 << 20

// postOpenLineage accepts one OpenLineage RunEvent (plain or gzip-encoded JSON).
func (s *Server) postOpenLineage(c *gin.Context) {
	body, err := readOpenLineageBody(c)
	if err != nil {
		fail(c, err)
		return
	}
	ev, err := openlineage.Parse(body)
	var fieldErr *openlineage.FieldError
	switch {
	case errors.As(err, &fieldErr):
		fail(c, &service.InputError{Field: fieldErr.Field, Problem: fieldErr.Problem})
		return
	case err != nil:
		fail(c, badRequest("malformed JSON: "+err.Error()))
		return
	}
	res, err := s.svc.IngestOpenLineage(c, teamID(c), ev)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"run_id": ev.RunID, "event_type": ev.EventType, "task_id": res.TaskID,
		"transformations": res.Transformations, "datasets": res.Datasets, "metrics": res.Metrics})
}

func readOpenLineageBody(c *gin.Context) ([]byte, error) {
	var r io.Reader = http.MaxBytesReader(c.Writer, c.Request.Body, maxOpenLineageBytes)
	if strings.EqualFold(c.GetHeader("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, badRequest("Content-Encoding is gzip but the body is not: " + err.Error())
		}
		defer zr.Close()
		r = zr
	}
	// One byte more than allowed tells a body at the limit from one over it,
	// including after decompression.
	body, err := io.ReadAll(io.LimitReader(r, maxOpenLineageBytes+1))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge) || len(body) > maxOpenLineageBytes:
		return nil, &requestError{status: http.StatusRequestEntityTooLarge, code: "body_too_large",
			msg: fmt.Sprintf("OpenLineage events are limited to %d bytes", maxOpenLineageBytes)}
	case err != nil:
		return nil, badRequest("cannot read the body: " + err.Error())
	case len(body) == 0:
		return nil, badRequest("request body is empty; send an OpenLineage RunEvent")
	}
	return body, nil
}

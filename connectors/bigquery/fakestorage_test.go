package bigquery

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"cloud.google.com/go/bigquery/storage/apiv1/storagepb"
	"github.com/apache/arrow-go/v18/arrow"
	arrowarray "github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// fakeStorage is an in-process fake of the BigQuery Storage Read API, the
// gRPC service google.cloud.bigquery.storage.v1.BigQueryRead. It is a fake
// of the documented protocol — storage.proto, stream.proto and arrow.proto
// (the comments of cloud.google.com/go/bigquery/storage/apiv1/storagepb)
// and the Arrow schema mapping of the Storage Read API reference — not of
// the client library's code:
//
//   - CreateReadSession takes a table as projects/P/datasets/D/tables/T and
//     a parent project, accepts only the ARROW data format, selects the
//     requested top-level fields (in the table's order, not the request's),
//     applies a row restriction the test taught it, splits the rows into at
//     most max_stream_count streams and answers the IPC-serialized Arrow
//     schema of the selected fields;
//   - ReadRows streams a stream's rows from the requested offset, in
//     responses carrying an IPC-serialized record batch (without the
//     schema) and its row_count;
//   - both check the x-goog-request-params routing header.
//
// It serves the rows of the REST fake's tables (fakeTable.rows) and of its
// query jobs (whose result tables are in anonDataset), converting their
// wire-format cells to Arrow by the documented type mapping.
type fakeStorage struct {
	storagepb.UnimplementedBigQueryReadServer
	bq   *fakeBigQuery
	addr string

	// restrictions are the row restrictions the fake understands, by text.
	restrictions map[string]func(row []any, fields []map[string]any) bool
	streams      int // the most streams a session gets
	batchRows    int // rows per ReadRows response
	breakAfter   int // responses after which each stream breaks once (0: never)
	denySessions bool

	mu       sync.Mutex
	sessions []*storagepb.CreateReadSessionRequest
	served   map[string]*fakeStream
	reads    []string // stream@offset of every ReadRows call
}

// fakeStream is one stream of a session: its schema and rows.
type fakeStream struct {
	schema *arrow.Schema
	fields []map[string]any
	rows   [][]any
	broken bool
}

// newFakeStorage starts the fake on a loopback port for f's project.
func newFakeStorage(t *testing.T, f *fakeBigQuery) *fakeStorage {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &fakeStorage{bq: f, addr: lis.Addr().String(), streams: 2, batchRows: 2,
		restrictions: map[string]func([]any, []map[string]any) bool{}, served: map[string]*fakeStream{}}
	srv := grpc.NewServer()
	storagepb.RegisterBigQueryReadServer(srv, s)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	return s
}

// options dial the fake: no TLS and no tokens, as the brief of a local fake allows.
func (s *fakeStorage) options() []option.ClientOption {
	return []option.ClientOption{option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials()))}
}

// CreateReadSession implements the documented method.
func (s *fakeStorage) CreateReadSession(ctx context.Context, req *storagepb.CreateReadSessionRequest) (*storagepb.ReadSession, error) {
	rs := req.GetReadSession()
	if err := routing(ctx, "read_session.table", rs.GetTable()); err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.sessions = append(s.sessions, req)
	s.mu.Unlock()
	if s.denySessions {
		return nil, status.Errorf(codes.PermissionDenied, "Permission denied on resource project %s: bigquery.readsessions.create", s.bq.project)
	}
	if req.GetParent() != "projects/"+s.bq.project {
		return nil, status.Errorf(codes.InvalidArgument, "parent must be projects/%s, not %q", s.bq.project, req.GetParent())
	}
	if rs.GetDataFormat() != storagepb.DataFormat_ARROW {
		return nil, status.Errorf(codes.InvalidArgument, "the fake serves only the ARROW data format, not %s", rs.GetDataFormat())
	}
	fields, rows, err := s.table(rs.GetTable())
	if err != nil {
		return nil, err
	}
	opts := rs.GetReadOptions()
	if text := opts.GetRowRestriction(); text != "" { // over all columns, selected or not
		keepRow, ok := s.restrictions[text]
		if !ok {
			return nil, status.Errorf(codes.InvalidArgument, "the fake does not understand the row restriction %q", text)
		}
		var kept [][]any
		for _, row := range rows {
			if keepRow(row, fields) {
				kept = append(kept, row)
			}
		}
		rows = kept
	}
	if len(opts.GetSelectedFields()) > 0 {
		var keep []int
		for i, f := range fields {
			if slices.Contains(opts.GetSelectedFields(), f["name"].(string)) {
				keep = append(keep, i)
			}
		}
		if len(keep) != len(opts.GetSelectedFields()) {
			return nil, status.Errorf(codes.InvalidArgument, "selected_fields %v are not all top-level fields of %s", opts.GetSelectedFields(), rs.GetTable())
		}
		fields, rows = project(fields, rows, keep)
	}
	schema := arrowSchema(fields)
	var buf bytes.Buffer
	payload := ipc.GetSchemaPayload(schema, memory.DefaultAllocator)
	defer payload.Release()
	if _, err := payload.WritePayload(&buf); err != nil {
		return nil, status.Errorf(codes.Internal, "serialize schema: %v", err)
	}
	name := fmt.Sprintf("projects/%s/locations/eu/sessions/s%d", s.bq.project, len(s.sessions))
	session := &storagepb.ReadSession{Name: name, Table: rs.GetTable(), DataFormat: storagepb.DataFormat_ARROW,
		ReadOptions: opts, EstimatedRowCount: int64(len(rows)),
		Schema: &storagepb.ReadSession_ArrowSchema{ArrowSchema: &storagepb.ArrowSchema{SerializedSchema: buf.Bytes()}}}
	n := s.streams
	if m := int(req.GetMaxStreamCount()); m > 0 && m < n {
		n = m
	}
	n = min(n, len(rows))
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range n { // contiguous blocks of rows, as the service assigns them
		stream := &storagepb.ReadStream{Name: fmt.Sprintf("%s/streams/%d", name, i)}
		session.Streams = append(session.Streams, stream)
		s.served[stream.Name] = &fakeStream{schema: schema, fields: fields, rows: rows[i*len(rows)/n : (i+1)*len(rows)/n]}
	}
	return session, nil
}

// ReadRows implements the documented method.
func (s *fakeStorage) ReadRows(req *storagepb.ReadRowsRequest, out storagepb.BigQueryRead_ReadRowsServer) error {
	if err := routing(out.Context(), "read_stream", req.GetReadStream()); err != nil {
		return err
	}
	s.mu.Lock()
	stream, ok := s.served[req.GetReadStream()]
	s.reads = append(s.reads, fmt.Sprintf("%s@%d", req.GetReadStream()[strings.LastIndex(req.GetReadStream(), "/")+1:], req.GetOffset()))
	s.mu.Unlock()
	switch {
	case !ok:
		return status.Errorf(codes.NotFound, "read stream %s not found", req.GetReadStream())
	case req.GetOffset() < 0 || req.GetOffset() > int64(len(stream.rows)):
		return status.Errorf(codes.OutOfRange, "offset %d is beyond the stream's %d rows", req.GetOffset(), len(stream.rows))
	}
	sent := 0
	for start := int(req.GetOffset()); start < len(stream.rows); start += s.batchRows {
		s.mu.Lock()
		breakNow := s.breakAfter > 0 && sent == s.breakAfter && !stream.broken
		if breakNow {
			stream.broken = true
		}
		s.mu.Unlock()
		if breakNow {
			return status.Error(codes.Unavailable, "Connection reset by peer")
		}
		rows := stream.rows[start:min(start+s.batchRows, len(stream.rows))]
		batch, err := recordBatch(stream.schema, stream.fields, rows)
		if err != nil {
			return status.Errorf(codes.Internal, "serialize rows: %v", err)
		}
		if err := out.Send(&storagepb.ReadRowsResponse{RowCount: int64(len(rows)),
			Rows: &storagepb.ReadRowsResponse_ArrowRecordBatch{ArrowRecordBatch: &storagepb.ArrowRecordBatch{SerializedRecordBatch: batch}}}); err != nil {
			return err
		}
		sent++
	}
	return nil
}

// table finds a table's fields and wire rows: a REST fake table, or the
// result table of one of its query jobs.
func (s *fakeStorage) table(name string) ([]map[string]any, [][]any, error) {
	parts := strings.Split(name, "/")
	if len(parts) != 6 || parts[0] != "projects" || parts[2] != "datasets" || parts[4] != "tables" || parts[1] != s.bq.project {
		return nil, nil, status.Errorf(codes.InvalidArgument, "table %q is not projects/%s/datasets/D/tables/T", name, s.bq.project)
	}
	s.bq.mu.Lock()
	defer s.bq.mu.Unlock()
	if parts[3] == anonDataset {
		if job, ok := s.bq.jobs[parts[5]]; ok {
			return job.query.fields, job.query.rows, nil
		}
	} else if t, ok := s.bq.datasets[parts[3]][parts[5]]; ok && t.kind == "TABLE" {
		return t.fields, t.rows, nil
	}
	return nil, nil, status.Errorf(codes.NotFound, "Not found: Table %s:%s.%s", parts[1], parts[3], parts[5])
}

// routing checks the x-goog-request-params header Google's APIs route by.
func routing(ctx context.Context, key, value string) error {
	md, _ := metadata.FromIncomingContext(ctx)
	want := key + "=" + url.QueryEscape(value)
	for _, h := range md.Get("x-goog-request-params") {
		if slices.Contains(strings.Split(h, "&"), want) {
			return nil
		}
	}
	return status.Errorf(codes.InvalidArgument, "x-goog-request-params %v lacks %s", md.Get("x-goog-request-params"), want)
}

// project keeps the fields (and row cells) at positions keep.
func project(fields []map[string]any, rows [][]any, keep []int) ([]map[string]any, [][]any) {
	outFields := make([]map[string]any, len(keep))
	for i, k := range keep {
		outFields[i] = fields[k]
	}
	outRows := make([][]any, len(rows))
	for r, row := range rows {
		outRows[r] = make([]any, len(keep))
		for i, k := range keep {
			outRows[r][i] = row[k]
		}
	}
	return outFields, outRows
}

// recordBatch serializes rows as one IPC record batch message.
func recordBatch(schema *arrow.Schema, fields []map[string]any, rows [][]any) ([]byte, error) {
	b := arrowarray.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for _, row := range rows {
		for i, cell := range row {
			if err := appendCell(b.Field(i), fields[i], cell); err != nil {
				return nil, fmt.Errorf("column %s: %w", fields[i]["name"], err)
			}
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	payload, err := ipc.GetRecordBatchPayload(rec)
	if err != nil {
		return nil, err
	}
	defer payload.Release()
	var buf bytes.Buffer
	if _, err := payload.WritePayload(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

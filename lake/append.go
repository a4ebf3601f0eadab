package lake

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"unsafe"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/duckdb/duckdb-go/v2/mapping"
)

// rawConn is a connection through DuckDB's C API to the database a duck's
// database/sql connection also uses (both come from duckdb-go's instance
// cache, which needs the same path and configuration), for appending data
// chunks whose vectors Go fills directly.
type rawConn struct {
	db   mapping.Database
	conn mapping.Connection
}

// openRawConn connects to the cached database instance at path.
func openRawConn(path string) (*rawConn, error) {
	var cfg mapping.Config
	if mapping.CreateConfig(&cfg) == mapping.StateError {
		return nil, errors.New("create DuckDB configuration")
	}
	defer mapping.DestroyConfig(&cfg)
	if mapping.SetConfig(cfg, "duckdb_api", "go") == mapping.StateError { // as duckdb-go's connector sets it
		return nil, errors.New("configure DuckDB")
	}
	r := &rawConn{}
	var msg string
	if mapping.GetOrCreateFromCache(duckdb.GetInstanceCache(), path, &r.db, cfg, &msg) == mapping.StateError {
		mapping.Close(&r.db)
		return nil, fmt.Errorf("open DuckDB for appending: %s", msg)
	}
	if mapping.Connect(r.db, &r.conn) == mapping.StateError {
		mapping.Close(&r.db)
		return nil, errors.New("connect to DuckDB for appending")
	}
	return r, nil
}

func (r *rawConn) close() {
	if r == nil {
		return
	}
	mapping.Disconnect(&r.conn)
	mapping.Close(&r.db)
}

// physical is how a staged column's values sit in a DuckDB vector.
type physical uint8

const (
	physInt64    physical = iota // BIGINT, TIMESTAMP[TZ] (µs), DECIMAL(18, s) (unscaled)
	physInt128                   // DECIMAL(38, s) (unscaled): a hugeint, lower half first
	physFloat64                  // DOUBLE
	physBool                     // BOOLEAN, one byte
	physString                   // VARCHAR, BLOB: duckdb_string_t
	physInterval                 // INTERVAL: months, days (int32), micros (int64)
	physUUID                     // UUID: a hugeint, lower half first, its top bit flipped
)

// stringArenaBlock is the size of the blocks long strings are copied into.
const stringArenaBlock = 256 << 10

// chunkAppender appends rows to a table a data chunk (2048 rows) at a time,
// writing values straight into the chunk's vectors: no call into C per
// value. Strings longer than DuckDB inlines point into Go blocks pinned
// until the chunk is appended, which copies them.
type chunkAppender struct {
	app      mapping.Appender
	chunk    mapping.DataChunk
	types    []mapping.LogicalType
	phys     []physical
	data     []unsafe.Pointer
	validity []unsafe.Pointer // nil until the chunk has a NULL in the column
	vecs     []mapping.Vector
	n, cap   int
	blocks   [][]byte
	used     int // bytes used in the last block
	pinner   runtime.Pinner
}

// newChunkAppender appends to catalog.main.table, whose columns must all
// have a physical layout.
func newChunkAppender(r *rawConn, catalog, table string) (*chunkAppender, error) {
	a := &chunkAppender{cap: int(mapping.VectorSize())}
	if mapping.AppenderCreateExt(r.conn, catalog, "main", table, &a.app) == mapping.StateError {
		err := errors.New(mapping.AppenderError(a.app))
		mapping.AppenderDestroy(&a.app)
		return nil, fmt.Errorf("create appender: %w", err)
	}
	for i := range int(mapping.AppenderColumnCount(a.app)) {
		t := mapping.AppenderColumnType(a.app, mapping.IdxT(i))
		a.types = append(a.types, t)
		p, err := physicalOf(t)
		if err != nil {
			a.close()
			return nil, fmt.Errorf("column %d: %w", i, err)
		}
		a.phys = append(a.phys, p)
	}
	a.chunk = mapping.CreateDataChunk(a.types)
	a.data = make([]unsafe.Pointer, len(a.types))
	a.validity = make([]unsafe.Pointer, len(a.types))
	a.vecs = make([]mapping.Vector, len(a.types))
	a.vectors()
	return a, nil
}

func physicalOf(t mapping.LogicalType) (physical, error) {
	switch id := mapping.GetTypeId(t); id {
	case mapping.TypeBigInt, mapping.TypeTimestamp, mapping.TypeTimestampTZ:
		return physInt64, nil
	case mapping.TypeDecimal:
		switch mapping.DecimalInternalType(t) {
		case mapping.TypeBigInt:
			return physInt64, nil
		case mapping.TypeHugeInt:
			return physInt128, nil
		}
	case mapping.TypeDouble:
		return physFloat64, nil
	case mapping.TypeBoolean:
		return physBool, nil
	case mapping.TypeVarchar, mapping.TypeBlob:
		return physString, nil
	case mapping.TypeInterval:
		return physInterval, nil
	case mapping.TypeUUID:
		return physUUID, nil
	}
	return 0, fmt.Errorf("DuckDB type %d has no appender layout", mapping.GetTypeId(t))
}

// vectors reads the chunk's vector pointers, which a reset may change.
func (a *chunkAppender) vectors() {
	for i := range a.types {
		a.vecs[i] = mapping.DataChunkGetVector(a.chunk, mapping.IdxT(i))
		a.data[i] = mapping.VectorGetData(a.vecs[i])
		a.validity[i] = nil
	}
}

// space is how many more rows the chunk takes.
func (a *chunkAppender) space() int { return a.cap - a.n }

// slot returns the address of row's value in column c, of size bytes.
func (a *chunkAppender) slot(c, row int, size uintptr) unsafe.Pointer {
	return unsafe.Add(a.data[c], uintptr(row)*size)
}

func (a *chunkAppender) setNull(c, row int) {
	if a.validity[c] == nil {
		mapping.VectorEnsureValidityWritable(a.vecs[c])
		a.validity[c] = mapping.VectorGetValidity(a.vecs[c])
	}
	word := (*uint64)(unsafe.Add(a.validity[c], uintptr(row/64)*8))
	*word &^= 1 << (row % 64)
	switch a.phys[c] { // a NULL string must not point anywhere
	case physString, physInterval, physUUID, physInt128:
		*(*[2]uint64)(a.slot(c, row, 16)) = [2]uint64{}
	}
}

func (a *chunkAppender) setInt64(c, row int, v int64) { *(*int64)(a.slot(c, row, 8)) = v }

func (a *chunkAppender) setFloat64(c, row int, v float64) { *(*float64)(a.slot(c, row, 8)) = v }

func (a *chunkAppender) setBool(c, row int, v bool) { *(*bool)(a.slot(c, row, 1)) = v }

func (a *chunkAppender) setInterval(c, row int, months, days int32, micros int64) {
	p := a.slot(c, row, 16)
	*(*int32)(p), *(*int32)(unsafe.Add(p, 4)), *(*int64)(unsafe.Add(p, 8)) = months, days, micros
}

// setInt128 writes a hugeint from its halves.
func (a *chunkAppender) setInt128(c, row int, upper int64, lower uint64) {
	p := a.slot(c, row, 16)
	*(*uint64)(p), *(*int64)(unsafe.Add(p, 8)) = lower, upper
}

// setUUID writes a UUID's 16 bytes as DuckDB holds them: a hugeint whose
// upper half, the first 8 bytes, has its top bit flipped so that the
// signed order is the bytes' order.
func (a *chunkAppender) setUUID(c, row int, u *[16]byte) {
	p := a.slot(c, row, 16)
	*(*uint64)(p) = binary.BigEndian.Uint64(u[8:])
	*(*uint64)(unsafe.Add(p, 8)) = binary.BigEndian.Uint64(u[:8]) ^ 1<<63
}

// setString writes a duckdb_string_t: the length, then up to 12 bytes
// inline, or a 4-byte prefix and a pointer to a copy in the arena.
func (a *chunkAppender) setString(c, row int, s []byte) {
	p := (*[16]byte)(a.slot(c, row, 16))
	*p = [16]byte{}
	*(*uint32)(unsafe.Pointer(&p[0])) = uint32(len(s)) //nolint:gosec // DuckDB strings are under 4 GiB
	if len(s) <= 12 {
		copy(p[4:], s)
		return
	}
	copy(p[4:8], s)
	*(*unsafe.Pointer)(unsafe.Pointer(&p[8])) = a.keep(s)
}

// keep copies s into a pinned arena block and returns the copy's address.
func (a *chunkAppender) keep(s []byte) unsafe.Pointer {
	if len(a.blocks) == 0 || a.used+len(s) > len(a.blocks[len(a.blocks)-1]) {
		b := make([]byte, max(stringArenaBlock, len(s)))
		a.pinner.Pin(&b[0])
		a.blocks, a.used = append(a.blocks, b), 0
	}
	b := a.blocks[len(a.blocks)-1]
	copy(b[a.used:], s)
	p := unsafe.Pointer(&b[a.used])
	a.used += len(s)
	return p
}

// flush appends the chunk's rows to the table and starts an empty chunk.
func (a *chunkAppender) flush() error {
	if a.n == 0 {
		return nil
	}
	mapping.DataChunkSetSize(a.chunk, mapping.IdxT(a.n))
	state := mapping.AppendDataChunk(a.app, a.chunk)
	a.pinner.Unpin() // DuckDB copied the strings
	if len(a.blocks) > 1 {
		a.blocks = a.blocks[len(a.blocks)-1:] // keep one block for the next chunk
	}
	if len(a.blocks) == 1 {
		a.pinner.Pin(&a.blocks[0][0])
	}
	a.used = 0
	mapping.DataChunkReset(a.chunk)
	a.vectors()
	a.n = 0
	if state == mapping.StateError {
		return fmt.Errorf("append rows: %s", mapping.AppenderError(a.app))
	}
	return nil
}

// finish appends what is buffered and flushes the appender to the table.
func (a *chunkAppender) finish() error {
	if err := a.flush(); err != nil {
		return err
	}
	if mapping.AppenderFlush(a.app) == mapping.StateError {
		return fmt.Errorf("flush appender: %s", mapping.AppenderError(a.app))
	}
	return nil
}

// close releases the appender without flushing it.
func (a *chunkAppender) close() {
	a.pinner.Unpin()
	a.blocks = nil
	if a.chunk.Ptr != nil {
		mapping.DestroyDataChunk(&a.chunk)
	}
	for i := range a.types {
		mapping.DestroyLogicalType(&a.types[i])
	}
	a.types = nil
	mapping.AppenderDestroy(&a.app)
}

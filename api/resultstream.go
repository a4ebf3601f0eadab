package api

import (
	"bufio"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sluice-dev/sluice/service"
)

// A query's answer is written row by row through a small buffer instead of
// being built whole: building it held a second copy of the answer (and,
// while the buffer grew by doubling, a third), which made a 32 MiB answer
// cost about 100 MiB.

// streamBufferSize is the write buffer of a streamed answer.
const streamBufferSize = 64 << 10

// writeResult writes head, the rows as a JSON array, then tail(meta) where
// meta is the result's "columns", "row_count", "truncated",
// "truncated_reason" and "elapsed_ms" members.
func writeResult(c *gin.Context, head string, res service.QueryResult, tail func(meta []byte) []byte) {
	cols := uniqueColumnNames(res.Columns)
	c.Header("Content-Type", "application/json; charset=utf-8")
	c.Status(http.StatusOK)
	w := bufio.NewWriterSize(c.Writer, streamBufferSize)
	keys := rowKeys(cols)
	buf := append(make([]byte, 0, 4096), head...)
	buf = append(buf, '[')
	for r, row := range res.Rows {
		if r > 0 {
			buf = append(buf, ',')
		}
		buf = appendRow(buf, keys, cols, row)
		if len(buf) >= streamBufferSize {
			if _, err := w.Write(buf); err != nil {
				return // the client went away
			}
			buf = buf[:0]
		}
		res.Rows[r] = nil // written: its values may be collected
	}
	buf = append(buf, ']')
	buf = append(buf, tail(appendResultMeta(nil, cols, res))...)
	if _, err := w.Write(buf); err != nil {
		return
	}
	_ = w.Flush()
}

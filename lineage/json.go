package lineage

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// AppendJSON appends the graph as JSON: byte for byte what encoding/json
// writes for it (json_test.go holds the two together). A depth-10 answer
// holds thousands of nodes and edges, and encoding them by reflection was
// a tenth of the lineage API's latency.
// JSON returns the graph as JSON in a buffer sized for it up front.
func (g *Graph) JSON() []byte {
	// About what a node and an edge take, so a large answer is not copied
	// over and over as its buffer grows.
	return g.AppendJSON(make([]byte, 0, 64+160*len(g.Nodes)+96*len(g.Edges)))
}

func (g *Graph) AppendJSON(dst []byte) []byte {
	dst = appendArray(append(dst, `{"nodes":`...), g.Nodes, (*Node).appendJSON)
	dst = appendArray(append(dst, `,"edges":`...), g.Edges, (*Edge).appendJSON)
	dst = strconv.AppendBool(append(dst, `,"truncated":`...), g.Truncated)
	if len(g.ColumnEdges) > 0 {
		dst = appendArray(append(dst, `,"column_edges":`...), g.ColumnEdges, (*ColumnEdge).appendJSON)
	}
	if len(g.Columns) > 0 {
		dst = appendArray(append(dst, `,"columns":`...), g.Columns, (*ColumnRef).appendJSON)
	}
	return append(dst, '}')
}

// appendArray appends items as a JSON array (null when nil, as encoding/json).
func appendArray[T any](dst []byte, items []T, appendItem func(*T, []byte) []byte) []byte {
	if items == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i := range items {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendItem(&items[i], dst)
	}
	return append(dst, ']')
}

func (n *Node) appendJSON(dst []byte) []byte {
	dst = appendField(dst, `{"id":`, n.ID)
	dst = appendField(dst, `,"type":`, n.Type)
	dst = appendField(dst, `,"name":`, n.Name)
	dst = appendOptional(dst, `,"ds_type":`, n.DatasetType)
	dst = appendOptional(dst, `,"app_name":`, n.AppName)
	dst = appendOptional(dst, `,"task_name":`, n.TaskName)
	dst = appendOptional(dst, `,"tf_id":`, n.TfID)
	dst = appendOptional(dst, `,"last_task_id":`, n.LastTaskID)
	if n.LastSeenAt != nil {
		dst = append(dst, `,"last_seen_at":"`...)
		dst = n.LastSeenAt.AppendFormat(dst, time.RFC3339Nano)
		dst = append(dst, '"')
	}
	if n.Depth != 0 {
		dst = append(dst, `,"depth":`...)
		dst = strconv.AppendInt(dst, int64(n.Depth), 10)
	}
	return append(dst, '}')
}

func (e *Edge) appendJSON(dst []byte) []byte {
	dst = appendField(dst, `{"source":`, e.Source)
	dst = appendField(dst, `,"target":`, e.Target)
	dst = appendField(dst, `,"type":`, e.Type)
	if len(e.Columns) > 0 {
		dst = append(dst, `,"columns":[`...)
		for i, c := range e.Columns {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, c)
		}
		dst = append(dst, ']')
	}
	return append(dst, '}')
}

func appendField(dst []byte, key, value string) []byte {
	return appendString(append(dst, key...), value)
}

// appendOptional is appendField for an omitempty field.
func appendOptional(dst []byte, key, value string) []byte {
	if value == "" {
		return dst
	}
	return appendField(dst, key, value)
}

const hexDigits = "0123456789abcdef"

// appendString quotes s as encoding/json does by default: control
// characters, quote and backslash escaped, and <, >, &, U+2028, U+2029 too
// (HTML-safe); invalid UTF-8 becomes U+FFFD.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

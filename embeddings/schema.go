package embeddings

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/sluice-dev/sluice/connectors"
)

// Limits on what is embedded per table, so one wide table cannot make a
// document longer than embedding models accept.
const (
	maxDocumentColumns = 200
	maxDocumentBytes   = 8000
	maxCommentBytes    = 300
)

// TableSchema is what sluice knows of a table: names, types and comments
// from the catalog. It never holds row values.
type TableSchema struct {
	Table   connectors.Table    `json:"table"`
	Columns []connectors.Column `json:"columns"`
}

// TableDocument is the text embedded for a table: its name (also as
// words), kind, comment, and its columns with their types and comments.
func TableDocument(s TableSchema) string {
	var b strings.Builder
	t := s.Table
	fmt.Fprintf(&b, "%s %s (%s)", kindWord(t.Kind), t.Ref(), Readable(t.Name))
	if t.Comment != "" {
		fmt.Fprintf(&b, ": %s", clip(t.Comment, maxCommentBytes))
	}
	b.WriteString(". Columns: ")
	for i, c := range s.Columns {
		if i == maxDocumentColumns {
			fmt.Fprintf(&b, "… and %d more", len(s.Columns)-i)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s (%s) %s", c.Name, Readable(c.Name), c.Type)
		if c.PrimaryKey {
			b.WriteString(" primary key")
		}
		if c.Comment != "" {
			fmt.Fprintf(&b, " [%s]", clip(c.Comment, maxCommentBytes))
		}
	}
	return clip(b.String(), maxDocumentBytes)
}

// ColumnDocument is the text embedded for one column.
func ColumnDocument(t connectors.Table, c connectors.Column) string {
	doc := fmt.Sprintf("column %s (%s) of %s %s (%s), type %s", c.Name, Readable(c.Name), kindWord(t.Kind), t.Ref(), Readable(t.Name), c.Type)
	if c.Comment != "" {
		doc += ": " + clip(c.Comment, maxCommentBytes)
	}
	return doc
}

// PromptSchema is a compact table description for an LLM prompt:
// "schema.table(col type, …)" with comments.
func PromptSchema(s TableSchema) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", kindWord(s.Table.Kind), s.Table.Ref())
	if s.Table.Comment != "" {
		fmt.Fprintf(&b, " -- %s", clip(s.Table.Comment, maxCommentBytes))
	}
	b.WriteString("\n")
	for i, c := range s.Columns {
		if i == maxDocumentColumns {
			fmt.Fprintf(&b, "  … and %d more columns\n", len(s.Columns)-i)
			break
		}
		fmt.Fprintf(&b, "  %s %s", c.Name, c.SourceType)
		if c.PrimaryKey {
			b.WriteString(" PRIMARY KEY")
		}
		if c.Comment != "" {
			fmt.Fprintf(&b, " -- %s", clip(c.Comment, maxCommentBytes))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func kindWord(kind string) string {
	if kind == "" || kind == connectors.TableKindTable {
		return "table"
	}
	return strings.ReplaceAll(kind, "_", " ")
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// TableListHash fingerprints a table list (names and kinds, in any order),
// so a changed schema can be told from an unchanged one.
func TableListHash(tables []connectors.Table) []byte {
	lines := make([]string, len(tables))
	for i, t := range tables {
		lines[i] = t.Schema + "\x00" + t.Name + "\x00" + t.Kind
	}
	sort.Strings(lines)
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return sum[:]
}

// EncodeVector packs a vector as little-endian float32s, for storage.
func EncodeVector(v []float32) []byte {
	out := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(out[4*i:], math.Float32bits(x))
	}
	return out
}

// DecodeVector unpacks EncodeVector's form.
func DecodeVector(b []byte) ([]float32, error) {
	if len(b)%4 != 0 {
		return nil, fmt.Errorf("vector of %d bytes is not a whole number of float32s", len(b))
	}
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out, nil
}

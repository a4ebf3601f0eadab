package sqlcols

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// parsePostgresTree parses sql into libpg_query's node types through its JSON
// output: libpg_query writes the same tree as JSON about four times faster
// than as protobuf (protobuf-c's packing is most of pg.Parse's cost), and
// this decoder fills the generated types directly. Should the JSON ever not
// decode, the protobuf path answers instead.
func parsePostgresTree(sql string) (*pg.ParseResult, error) {
	return parsePostgresJSON(sql, func(string, error) (*pg.ParseResult, error) { return pg.Parse(sql) })
}

// parsePostgresJSON parses sql to JSON and decodes it, calling fallback when
// the JSON does not decode.
func parsePostgresJSON(sql string, fallback func(sql string, decodeErr error) (*pg.ParseResult, error)) (*pg.ParseResult, error) {
	out, err := pg.ParseToJSON(sql)
	if err != nil {
		return nil, err
	}
	tree, err := decodePostgresJSON(out)
	if err != nil {
		return fallback(sql, err)
	}
	return tree, nil
}

// decodePostgresJSON reads libpg_query's JSON output.
func decodePostgresJSON(out string) (*pg.ParseResult, error) {
	tree := &pg.ParseResult{}
	d := pgJSONDecoder{in: out}
	if err := d.message(tree.ProtoReflect()); err != nil {
		return nil, err
	}
	if d.peek() != 0 {
		return nil, d.fail("text after the document")
	}
	return tree, nil
}

// pgJSONDecoder reads one JSON document (libpg_query's output: well formed,
// keys being the protobuf fields' JSON or proto names) into a message.
type pgJSONDecoder struct {
	in  string
	pos int
}

// message reads an object into m.
func (d *pgJSONDecoder) message(m protoreflect.Message) error {
	if node, ok := m.Interface().(*pg.Node); ok {
		return d.node(node)
	}
	if err := d.expect('{'); err != nil {
		return err
	}
	v := reflect.ValueOf(m.Interface()).Elem()
	fields := goFieldsOf(v.Type(), m.Descriptor())
	if d.peek() == '}' {
		d.pos++
		return nil
	}
	for {
		key, err := d.key()
		if err != nil {
			return err
		}
		if err := d.expect(':'); err != nil {
			return err
		}
		switch f, ok := fields[key]; {
		case !ok:
			err = d.skip()
		case f.index >= 0:
			err = d.setGo(v.Field(f.index), f.fd)
		default:
			err = d.field(m, f.fd)
		}
		if err != nil {
			return fmt.Errorf("%s.%s: %w", m.Descriptor().Name(), key, err)
		}
		switch d.next() {
		case ',':
			continue
		case '}':
			return nil
		default:
			return d.fail("expected , or }")
		}
	}
}

// node reads a Node: an object of one key, naming the member of its oneof.
// The generated constructors set the member without protoreflect's
// reflection, the largest cost of decoding when nodes are most of a tree.
func (d *pgJSONDecoder) node(n *pg.Node) error {
	if err := d.expect('{'); err != nil {
		return err
	}
	if d.peek() == '}' { // an empty node (a NULL in a list)
		d.pos++
		return nil
	}
	key, err := d.key()
	if err != nil {
		return err
	}
	if key == "String" { // names of columns, tables, functions: many nodes
		if err := d.expect(':'); err != nil {
			return err
		}
		str := &pg.String{}
		n.Node = &pg.Node_String_{String_: str}
		return d.stringNode(str)
	}
	newMember, ok := nodeConstructors[key]
	if !ok {
		return d.fail("unknown node type " + key)
	}
	if err := d.expect(':'); err != nil {
		return err
	}
	if err := d.message(newMember(n)); err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	return d.expect('}')
}

// nodeDescriptor is the Node message's, compared by identity.
var nodeDescriptor = (&pg.Node{}).ProtoReflect().Descriptor()

// newMessage returns a new value for a message field: a Node (most fields
// of a tree) directly, others through protoreflect's slower reflection.
func newMessage(fd protoreflect.FieldDescriptor, other func() protoreflect.Value) protoreflect.Message {
	if fd.Message() == nodeDescriptor {
		return (&pg.Node{}).ProtoReflect()
	}
	return other().Message()
}

// stringNode reads a String node's object, {"sval": …} or {}, and the
// node's closing brace, without protoreflect: setting a string through it
// allocates.
func (d *pgJSONDecoder) stringNode(str *pg.String) error {
	if err := d.expect('{'); err != nil {
		return err
	}
	if d.peek() != '}' {
		key, err := d.key()
		if err != nil {
			return err
		}
		if key != "sval" {
			return d.fail("unexpected String field " + key)
		}
		if err := d.expect(':'); err != nil {
			return err
		}
		if str.Sval, err = d.str(); err != nil {
			return err
		}
	}
	if err := d.expect('}'); err != nil {
		return err
	}
	return d.expect('}')
}

// field reads the value of one field of m.
func (d *pgJSONDecoder) field(m protoreflect.Message, fd protoreflect.FieldDescriptor) error {
	switch {
	case fd.IsList():
		list := m.Mutable(fd).List()
		if err := d.expect('['); err != nil {
			return err
		}
		if d.peek() == ']' {
			d.pos++
			return nil
		}
		for {
			if fd.Kind() == protoreflect.MessageKind {
				item := newMessage(fd, list.NewElement)
				if err := d.message(item); err != nil {
					return err
				}
				list.Append(protoreflect.ValueOfMessage(item))
			} else {
				v, err := d.scalar(fd)
				if err != nil {
					return err
				}
				list.Append(v)
			}
			switch d.next() {
			case ',':
				continue
			case ']':
				return nil
			default:
				return d.fail("expected , or ]")
			}
		}
	case fd.IsMap():
		return d.skip() // the parse tree has no maps
	case fd.Kind() == protoreflect.MessageKind:
		item := newMessage(fd, func() protoreflect.Value { return m.NewField(fd) })
		if err := d.message(item); err != nil {
			return err
		}
		m.Set(fd, protoreflect.ValueOfMessage(item))
		return nil
	}
	v, err := d.scalar(fd)
	if err != nil {
		return err
	}
	m.Set(fd, v)
	return nil
}

// scalar reads a string, number, boolean or enum value of fd's kind.
func (d *pgJSONDecoder) scalar(fd protoreflect.FieldDescriptor) (protoreflect.Value, error) {
	switch fd.Kind() {
	case protoreflect.StringKind:
		s, err := d.str()
		return protoreflect.ValueOfString(s), err
	case protoreflect.BoolKind:
		switch {
		case d.literal("true"):
			return protoreflect.ValueOfBool(true), nil
		case d.literal("false"):
			return protoreflect.ValueOfBool(false), nil
		}
		return protoreflect.Value{}, d.fail("expected a boolean")
	case protoreflect.EnumKind:
		if d.peek() != '"' {
			n, err := d.integer(32)
			return protoreflect.ValueOfEnum(protoreflect.EnumNumber(n)), err
		}
		name, err := d.key()
		if err != nil {
			return protoreflect.Value{}, err
		}
		ev := fd.Enum().Values().ByName(protoreflect.Name(name))
		if ev == nil {
			return protoreflect.Value{}, d.fail("unknown value " + name + " of " + string(fd.Enum().Name()))
		}
		return protoreflect.ValueOfEnum(ev.Number()), nil
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		n, err := d.integer(32)
		return protoreflect.ValueOfInt32(int32(n)), err
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		n, err := d.integer(64)
		return protoreflect.ValueOfInt64(n), err
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		n, err := d.integer(64)
		return protoreflect.ValueOfUint32(uint32(n)), err
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		n, err := d.integer(64)
		return protoreflect.ValueOfUint64(uint64(n)), err
	case protoreflect.DoubleKind, protoreflect.FloatKind:
		f, err := strconv.ParseFloat(d.number(), 64)
		if fd.Kind() == protoreflect.FloatKind {
			return protoreflect.ValueOfFloat32(float32(f)), err
		}
		return protoreflect.ValueOfFloat64(f), err
	}
	return protoreflect.Value{}, d.fail("unsupported field kind " + fd.Kind().String())
}

func (d *pgJSONDecoder) integer(bits int) (int64, error) {
	text := d.number()
	n, err := strconv.ParseInt(text, 10, bits)
	if err != nil {
		return 0, d.fail("bad integer " + text)
	}
	return n, nil
}

// number reads a JSON number's text.
func (d *pgJSONDecoder) number() string {
	d.space()
	start := d.pos
	for d.pos < len(d.in) && isNumberByte(d.in[d.pos]) {
		d.pos++
	}
	return d.in[start:d.pos]
}

func isNumberByte(c byte) bool {
	return c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}

// str reads a JSON string; the result does not share the document's memory.
func (d *pgJSONDecoder) str() (string, error) {
	s, unescaped, err := d.rawString()
	switch {
	case err != nil:
		return "", err
	case !utf8.ValidString(s):
		// Refused like the protobuf path refuses it, so both read the
		// same statements (the fallback then answers its error).
		return "", d.fail("a string is not valid UTF-8")
	case unescaped:
		return s, nil
	}
	return strings.Clone(s), nil
}

// key reads a JSON string that is only looked up, not kept: without escapes
// (every key) it is a slice of the document, with no allocation.
func (d *pgJSONDecoder) key() (string, error) {
	s, _, err := d.rawString()
	return s, err
}

// rawString reads a JSON string: a slice of the document, or a new string
// (unescaped is true) when it holds escapes.
func (d *pgJSONDecoder) rawString() (s string, unescaped bool, err error) {
	if err := d.expect('"'); err != nil {
		return "", false, err
	}
	start := d.pos
	for d.pos < len(d.in) {
		switch d.in[d.pos] {
		case '"':
			d.pos++
			return d.in[start : d.pos-1], false, nil
		case '\\':
			s, err := d.escapedStr(start)
			return s, true, err
		}
		d.pos++
	}
	return "", false, d.fail("unterminated string")
}

// escapedStr finishes a string that holds escapes, from its start.
func (d *pgJSONDecoder) escapedStr(start int) (string, error) {
	buf := []byte(d.in[start:d.pos])
	for d.pos < len(d.in) {
		c := d.in[d.pos]
		d.pos++
		switch c {
		case '"':
			return string(buf), nil
		case '\\':
			if d.pos >= len(d.in) {
				return "", d.fail("unterminated escape")
			}
			e := d.in[d.pos]
			d.pos++
			switch e {
			case 'n':
				buf = append(buf, '\n')
			case 't':
				buf = append(buf, '\t')
			case 'r':
				buf = append(buf, '\r')
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'u':
				r, err := d.hexRune()
				if err != nil {
					return "", err
				}
				if utf16.IsSurrogate(r) {
					low := rune(utf8.RuneError)
					if d.pos+1 < len(d.in) && d.in[d.pos] == '\\' && d.in[d.pos+1] == 'u' {
						d.pos += 2
						if low, err = d.hexRune(); err != nil {
							return "", err
						}
					}
					r = utf16.DecodeRune(r, low)
				}
				buf = utf8.AppendRune(buf, r)
			default: // \" \\ \/
				buf = append(buf, e)
			}
		default:
			buf = append(buf, c)
		}
	}
	return "", d.fail("unterminated string")
}

func (d *pgJSONDecoder) hexRune() (rune, error) {
	if d.pos+4 > len(d.in) {
		return 0, d.fail("short \\u escape")
	}
	n, err := strconv.ParseUint(d.in[d.pos:d.pos+4], 16, 32)
	if err != nil {
		return 0, d.fail("bad \\u escape")
	}
	d.pos += 4
	return rune(n), nil
}

// skip reads past one value of any kind.
func (d *pgJSONDecoder) skip() error {
	switch d.peek() {
	case '"':
		_, err := d.key()
		return err
	case '{', '[':
		open := d.next()
		if d.peek() == '}' || d.peek() == ']' {
			d.pos++
			return nil
		}
		for {
			if open == '{' {
				if _, err := d.key(); err != nil {
					return err
				}
				if err := d.expect(':'); err != nil {
					return err
				}
			}
			if err := d.skip(); err != nil {
				return err
			}
			if c := d.next(); c == '}' || c == ']' {
				return nil
			} else if c != ',' {
				return d.fail("expected ,")
			}
		}
	}
	if d.literal("true") || d.literal("false") || d.literal("null") {
		return nil
	}
	if d.number() == "" {
		return d.fail("expected a value")
	}
	return nil
}

func (d *pgJSONDecoder) literal(word string) bool {
	d.space()
	if len(d.in)-d.pos >= len(word) && d.in[d.pos:d.pos+len(word)] == word {
		d.pos += len(word)
		return true
	}
	return false
}

func (d *pgJSONDecoder) space() {
	for d.pos < len(d.in) {
		switch d.in[d.pos] {
		case ' ', '\n', '\t', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *pgJSONDecoder) peek() byte {
	d.space()
	if d.pos >= len(d.in) {
		return 0
	}
	return d.in[d.pos]
}

func (d *pgJSONDecoder) next() byte {
	c := d.peek()
	if d.pos < len(d.in) {
		d.pos++
	}
	return c
}

func (d *pgJSONDecoder) expect(c byte) error {
	if d.next() != c {
		return d.fail("expected " + string(c))
	}
	return nil
}

func (d *pgJSONDecoder) fail(what string) error {
	return fmt.Errorf("libpg_query JSON at byte %d: %s", d.pos, what)
}

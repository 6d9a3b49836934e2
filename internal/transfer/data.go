package transfer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// An event's data is a JSON object. In the database, the values that refer to
// users, comments and projects are ids; in the file they are natural keys:
//
//   - "author_id", "author_before", "author_after": a user's email address;
//   - "mentions": a list of email addresses;
//   - "comment_id": the key of a comment of the same ticket (its external_id, or
//     its position among the ticket's comments: "1", "2"…);
//   - in a change ({"field": F, "before": …, "after": …}) of F = "assignee_id",
//     "engineer_id" or "author_id": email addresses; of F = "project_id": the name
//     of a project of the ticket's space.
//
// The id 0 (none) is null in the file. "attachment_id" is left out: attachments
// are not part of the format. Every other member is kept as it is, in its place.

// userKeys are the members whose value is a user.
var userKeys = map[string]bool{"author_id": true, "author_before": true, "author_after": true}

// changeRefs says what the before and after values of a change refer to.
var changeRefs = map[string]refKind{"assignee_id": refUser, "engineer_id": refUser, "author_id": refUser,
	"project_id": refProject}

type refKind int

const (
	refNone refKind = iota
	refUser
	refComment
	refProject
)

func (k refKind) String() string {
	switch k {
	case refUser:
		return "user"
	case refComment:
		return "comment"
	case refProject:
		return "project"
	}
	return "value"
}

// member is one member of a JSON object, its value compact.
type member struct {
	key   string
	value json.RawMessage
}

// object is a JSON object whose members keep their order.
type object []member

// parseObject reads a JSON object, keeping the order of its members; a key given
// twice is an error.
func parseObject(b []byte) (object, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, errors.New("must be a JSON object")
	}
	obj := object{}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, errors.New("must be a JSON object")
		}
		key, _ := tok.(string)
		if seen[key] {
			return nil, fmt.Errorf("has %q twice", key)
		}
		seen[key] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, errors.New("must be a JSON object")
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return nil, errors.New("must be a JSON object")
		}
		obj = append(obj, member{key, buf.Bytes()})
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, errors.New("must be a JSON object")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("must be one JSON object")
	}
	return obj, nil
}

// marshal writes the object compactly, members in order.
func (o object) marshal() json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(jsonString(m.key))
		b.WriteByte(':')
		b.Write(m.value)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// jsonString encodes s as a JSON string, without escaping <, > and &.
func jsonString(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// mapRef turns one reference from one form into the other: an id (a JSON
// number) into a natural key, or back. It returns the new value.
type mapRef func(kind refKind, v json.RawMessage) (json.RawMessage, error)

// translate rewrites the references of event data with m, drops
// "attachment_id", and keeps every other member. Errors name the member, e.g.
// "data.comment_id".
func translate(data json.RawMessage, m mapRef) (json.RawMessage, error) {
	obj, err := parseObject(data)
	if err != nil {
		return nil, fieldErr{"data", err.Error()}
	}
	change := refNone
	for _, mb := range obj {
		if mb.key == "field" {
			var f string
			if json.Unmarshal(mb.value, &f) == nil {
				change = changeRefs[f]
			}
		}
	}
	out := make(object, 0, len(obj))
	for _, mb := range obj {
		kind := refNone
		switch {
		case mb.key == "attachment_id":
			continue
		case userKeys[mb.key]:
			kind = refUser
		case mb.key == "comment_id":
			kind = refComment
		case change != refNone && (mb.key == "before" || mb.key == "after"):
			kind = change
		case mb.key == "mentions":
			v, err := translateList(mb.value, m)
			if err != nil {
				return nil, fieldErr{"data.mentions", err.Error()}
			}
			out = append(out, member{mb.key, v})
			continue
		}
		if kind != refNone {
			v, err := m(kind, mb.value)
			if err != nil {
				return nil, fieldErr{"data." + mb.key, err.Error()}
			}
			mb.value = v
		}
		out = append(out, mb)
	}
	return out.marshal(), nil
}

func translateList(v json.RawMessage, m mapRef) (json.RawMessage, error) {
	var list []json.RawMessage
	if err := json.Unmarshal(v, &list); err != nil {
		return nil, errors.New("must be a list of users")
	}
	var b bytes.Buffer
	b.WriteByte('[')
	for i, x := range list {
		y, err := m(refUser, x)
		if err != nil {
			return nil, fmt.Errorf("item %d: %w", i+1, err)
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(y)
	}
	b.WriteByte(']')
	return b.Bytes(), nil
}

// fieldErr is an error about one field.
type fieldErr struct{ field, msg string }

func (e fieldErr) Error() string { return e.field + ": " + e.msg }

// idOf reads a reference in the database's form: a JSON integer, 0 or null for
// none.
func idOf(v json.RawMessage) (int64, error) {
	if string(v) == "null" {
		return 0, nil
	}
	id, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil || id < 0 {
		return 0, fmt.Errorf("%s is not an id", v)
	}
	return id, nil
}

// keyOf reads a reference in the file's form: a string, or null for none.
func keyOf(kind refKind, v json.RawMessage) (key string, none bool, err error) {
	if string(v) == "null" {
		return "", true, nil
	}
	var s string
	if json.Unmarshal(v, &s) != nil || s == "" {
		switch kind {
		case refUser:
			return "", false, errors.New("must be an email address or null")
		case refComment:
			return "", false, errors.New("must be the key of a comment of the ticket (its external_id or its position, as a string) or null")
		default:
			return "", false, errors.New("must be the name of a project of the ticket's space, or null")
		}
	}
	return s, false, nil
}

// idValue writes an id for the database; 0 is written 0.
func idValue(id int64) json.RawMessage { return json.RawMessage(strconv.FormatInt(id, 10)) }

// keyValue writes a natural key for the file.
func keyValue(s string) json.RawMessage { return jsonString(s) }

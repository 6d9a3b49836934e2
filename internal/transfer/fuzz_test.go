package transfer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

// encode writes a record as Export does.
func encode(t *testing.T, rec record) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rec); err != nil {
		t.Fatalf("encode %#v: %v", rec, err)
	}
	return b.Bytes()
}

// FuzzParseLine feeds the line parser anything. It must never panic; every
// problem must say what is wrong; and a line it accepts, written back as export
// writes it, must be accepted again and written back the same: the canonical
// form is stable. `go test` runs the seeds only; `go test -fuzz FuzzParseLine`
// explores.
func FuzzParseLine(f *testing.F) {
	example, err := os.ReadFile("testdata/example.jsonl")
	if err != nil {
		f.Fatal(err)
	}
	for _, line := range strings.Split(string(example), "\n") {
		f.Add([]byte(line))
	}
	for _, s := range []string{
		``, `{}`, `[]`, `null`, `{"type":"ticket"}`, `{"type":"ticket",`, `{"type":42}`, `{"type":"wizard"}`,
		`{"type":"user","email":"A@B.example","name":" x ","org":"o","org_kind":"client","locale":"fr","created_at":"2024-01-01T00:00:00.1234567+02:00"}`,
		`{"type":"event","ticket":"A1-1","kind":"x","at":"2024-01-01T00:00:00Z","data":{"a":1,"a":2}}`,
		`{"type":"event","ticket":"AB-1","kind":"x","at":"2024-01-01T00:00:00Z","data":{"comment_id":"1","mentions":["a@b.example"],"field":"project_id","before":null,"after":"P"}}`,
		`{"type":"comment","ticket":"AB-01","author":"a@b.example","created_at":"2024-01-01T00:00:00Z","likes":[{"user":"a@b.example","at":"x"}]}`,
		`{"type":"ticket","ref":"AB-9","title":"t","nature":"security","criticality":"minor","author":"a@b.example","status":"closed","created_at":"2024-01-01T00:00:00Z","priority":"high"}`,
		"{\"type\":\"project\",\"space\":\"AB\",\"name\":\"\xff\",\"created_at\":\"2024-01-01T00:00:00Z\"}",
		`{"type":"project","space":"AB","name":"a\u0000b","created_at":"2024-01-01T00:00:00Z"}`,
		`{"type":"project","space":"AB","name":"a\\u0000b","created_at":"2024-01-01T00:00:00Z"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		rec, p := parseLine(line)
		for _, e := range p {
			if e.msg == "" {
				t.Fatalf("a problem without a message: %+v", p)
			}
		}
		if len(p) > 0 || rec == nil {
			return
		}
		first := encode(t, rec)
		again, p := parseLine(first)
		if len(p) > 0 || again == nil {
			t.Fatalf("%s\nwas accepted, but its canonical form\n%s\nis not: %+v", line, first, p)
		}
		if second := encode(t, again); !bytes.Equal(first, second) {
			t.Fatalf("the canonical form is not stable:\n%s\n%s", first, second)
		}
	})
}

// FuzzEventData checks that event data goes from the database's form to the
// file's and back without loss, whatever its shape: ids become keys and keys
// become the same ids again.
func FuzzEventData(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"comment_id":3,"private":true}`, `{"author_id":1,"ref":"A-1"}`,
		`{"field":"assignee_id","before":0,"after":7}`, `{"field":"project_id","before":2,"after":0}`,
		`{"mentions":[1,2],"attachment_id":4,"x":{"comment_id":1}}`, `{"author_before":1,"author_after":2}`,
		`{"field":"title","before":"a","after":"b"}`, `{"a":"<&>","b":[1,2.5,null]}`,
	} {
		f.Add([]byte(s))
	}
	toKey := func(kind refKind, v json.RawMessage) (json.RawMessage, error) {
		id, err := idOf(v)
		if err != nil || id == 0 {
			return json.RawMessage(`null`), err
		}
		return keyValue(fmt.Sprintf("%s-%d", kind, id)), nil
	}
	toID := func(kind refKind, v json.RawMessage) (json.RawMessage, error) {
		key, none, err := keyOf(kind, v)
		if err != nil || none {
			return idValue(0), err
		}
		var id int64
		if _, err := fmt.Sscanf(strings.TrimPrefix(key, kind.String()+"-"), "%d", &id); err != nil {
			return nil, err
		}
		return idValue(id), nil
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := translate(data, toKey)
		if err != nil {
			return // not an object, or a reference that is not an id
		}
		db, err := translate(file, toID)
		if err != nil {
			t.Fatalf("%s\nbecame\n%s\nwhich does not read back: %v", data, file, err)
		}
		again, err := translate(db, toKey)
		if err != nil || !bytes.Equal(again, file) {
			t.Fatalf("%s → %s → %s → %s (%v)", data, file, db, again, err)
		}
	})
}

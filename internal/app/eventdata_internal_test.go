package app

import (
	"encoding/json"
	"reflect"
	"testing"

	"guichet/internal/desk"
)

// TestNumberedDataIsTheEventsJSON checks that the data of a ticket's first
// event and of a comment's, given in two parts around a number the store
// fills in, is the JSON object they record, whatever the text holds.
func TestNumberedDataIsTheEventsJSON(t *testing.T) {
	tk := &desk.Ticket{Title: `Caractères "cités" <b>&</b> \ é 😀`, Nature: desk.Anomaly, Criticality: desk.Serious,
		Channel: desk.Web, AuthorID: 7, Status: desk.Open}
	c := &desk.Comment{Private: true, Mentions: []int64{3, 9}}
	for _, tc := range []struct {
		data NumberedData
		n    int64
		want map[string]any
	}{
		{createdData(tk, "ACME"), 1042, map[string]any{"ref": "ACME-1042", "title": tk.Title, "nature": "anomaly",
			"criticality": "serious", "channel": "web", "author_id": 7.0, "status": "open"}},
		{commentedData(c), 55, map[string]any{"comment_id": 55.0, "private": true, "mentions": []any{3.0, 9.0}}},
		{commentedData(&desk.Comment{}), 8, map[string]any{"comment_id": 8.0, "private": false}},
	} {
		var got map[string]any
		if err := json.Unmarshal(tc.data.With(tc.n), &got); err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s reads as %v (%v), want %v", tc.data.With(tc.n), got, err, tc.want)
		}
	}
}

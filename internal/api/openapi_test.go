package api

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestOpenAPISchemasMatchTypes checks that each answer's schema names exactly the
// JSON fields of its Go type, and requires exactly those that are always written.
func TestOpenAPISchemasMatchTypes(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]any `json:"properties"`
				Required   []string       `json:"required"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIJSON(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		schema string
		value  any
		skip   string // a field the schema leaves to another one
	}{
		{"Organisation", Organisation{}, ""},
		{"RoleGrant", Role{}, ""},
		{"User", User{}, ""},
		{"Space", Space{}, ""},
		{"Project", Project{}, ""},
		{"Membership", Membership{}, ""},
		{"Token", Token{}, "secret"}, // in CreatedToken only
		{"UserList", List[User]{}, ""},
		{"Ticket", Ticket{}, ""},
		{"TicketList", List[Ticket]{}, ""},
		{"Comment", Comment{}, ""},
		{"CommentList", List[Comment]{}, ""},
		{"Attachment", Attachment{}, ""},
		{"Event", Event{}, ""},
		{"View", View{}, ""},
		{"ViewList", List[View]{}, ""},
		{"Count", Count{}, ""},
		{"TicketCounts", TicketCounts{}, ""},
		{"Notification", Notification{}, ""},
		{"NotificationList", NotificationList{}, ""},
		{"Problem", Problem{}, ""},
		{"FieldProblem", FieldProblem{}, ""},
	} {
		t.Run(c.schema, func(t *testing.T) {
			s, ok := doc.Components.Schemas[c.schema]
			if !ok {
				t.Fatalf("no schema %s", c.schema)
			}
			var fields, required []string
			typ := reflect.TypeOf(c.value)
			for i := range typ.NumField() {
				name, opts, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
				if name == c.skip {
					continue
				}
				fields = append(fields, name)
				if !strings.Contains(opts, "omitempty") {
					required = append(required, name)
				}
			}
			var props []string
			for p := range s.Properties {
				props = append(props, p)
			}
			slices.Sort(fields)
			slices.Sort(props)
			slices.Sort(required)
			slices.Sort(s.Required)
			if !slices.Equal(props, fields) {
				t.Errorf("properties %v, want the fields of %T: %v", props, c.value, fields)
			}
			if !slices.Equal(s.Required, required) {
				t.Errorf("required %v, want the fields %T always writes: %v", s.Required, c.value, required)
			}
		})
	}
}

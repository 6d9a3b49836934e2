package web

import (
	"testing"

	"guichet/internal/app"
	"guichet/internal/desk"
)

// TestMessages checks that both languages have the same words, and a word for every
// value a page names: statuses, natures, criticalities and their wording, actions,
// orders, resolution types, decisions, roles and objectives.
func TestMessages(t *testing.T) {
	for key := range messages["fr"] {
		if _, ok := messages["en"][key]; !ok {
			t.Errorf("%q is in French only", key)
		}
	}
	for key := range messages["en"] {
		if _, ok := messages["fr"][key]; !ok {
			t.Errorf("%q is in English only", key)
		}
	}
	var keys []string
	for _, s := range desk.Statuses {
		keys = append(keys, "status."+string(s))
	}
	for _, n := range desk.Natures {
		keys = append(keys, "nature."+string(n))
	}
	for _, c := range desk.Criticalities {
		keys = append(keys, "crit."+string(c), "crit."+string(c)+".says")
	}
	for _, row := range desk.Workflow {
		if row.Who != desk.WhoAutomatic {
			keys = append(keys, "act."+string(row.Action))
		}
	}
	for _, s := range app.TicketSorts {
		if s != app.SortNature && s != app.SortAssignee {
			keys = append(keys, "sort."+string(s))
		}
	}
	for _, r := range desk.DefaultResolutions {
		keys = append(keys, "res."+r)
	}
	for _, d := range []desk.Decision{desk.NotRetained, desk.InterestingNotRetained, desk.AcceptedBacklog, desk.AcceptedPlanned} {
		keys = append(keys, "dec."+string(d))
	}
	for _, r := range desk.ProviderRoles {
		keys = append(keys, "role."+string(r))
	}
	for _, o := range []desk.ObjectiveKind{desk.FirstResponse, desk.Update, desk.Resolution} {
		keys = append(keys, "obj."+string(o))
	}
	for _, f := range []string{"title", "criticality", "priority", "priority_disputed", "project_id", "category",
		"keywords", "product_version", "module_versions"} {
		keys = append(keys, "field."+f)
	}
	for _, l := range []string{"fr", "en"} {
		for _, k := range keys {
			if _, ok := messages[l][k]; !ok {
				t.Errorf("%s: no word for %q", l, k)
			}
		}
	}
}

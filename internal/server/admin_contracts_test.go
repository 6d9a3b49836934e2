package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"guichet/internal/app"
	"guichet/internal/desk"
	"guichet/internal/sqlstore"
	"guichet/internal/storetest"
)

// calendarForm is a calendar's form as a browser sends it: Monday to Friday
// 09:00-12:00 and 13:30-18:00, French holidays, Christmas week closed.
func calendarForm(name string, change func(url.Values)) string {
	v := url.Values{"name": {name}, "time_zone": {"Europe/Paris"}, "holidays": {"fr"},
		"closed": {"2026-12-24/2026-12-31\n2027-05-07"}, "open": {"2026-05-08"}}
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday"} {
		v.Set("hours."+d, "09:00-12:00, 13:30-18:00")
	}
	if change != nil {
		change(v)
	}
	return v.Encode()
}

// fieldError returns the message shown next to the field with id, or "".
func fieldError(body, id string) string {
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	rest := body[i:]
	if end := strings.Index(rest, "</div>"); end >= 0 {
		rest = rest[:end]
	}
	m := regexp.MustCompile(`<p class="field-error" role="alert">([^<]*)</p>`).FindStringSubmatch(rest)
	if m == nil {
		return ""
	}
	return m[1]
}

// sentTwice sends a creation form again, as a double click or a reload does,
// and checks that the browser is sent to what the first sending created
// (created, at the Location given) with a notice that nothing new was made.
func sentTwice(t *testing.T, f *fixture, path, body, created string) {
	t.Helper()
	w := f.as("admin", "POST", path, body, form)
	wantStatus(t, w, http.StatusSeeOther, path+" sent twice")
	first, _, _ := strings.Cut(created, "?")
	if got := w.Header().Get("Location"); got != first+"?done=exists" {
		t.Errorf("%s sent twice: sent to %q, want %s?done=exists", path, got, first)
	}
	if !strings.Contains(f.as("admin", "GET", w.Header().Get("Location"), "").Body.String(), "existait déjà") {
		t.Errorf("%s sent twice: no notice that it existed", path)
	}
}

// TestAdminCalendars creates and edits a business calendar through its pages:
// each wrong field is refused with the message beside it and the input kept,
// a right one is saved and read back, and a change reaches the contracts using it.
func TestAdminCalendars(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *sqlstore.Store) {
		f := newFixture(t, st, app.Options{})
		ctx := context.Background()

		for _, c := range []struct {
			name, field, want string
			change            func(url.Values)
		}{
			{"no opening hours", "hours", "au moins une plage", func(v url.Values) {
				for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday"} {
					v.Set("hours."+d, "")
				}
			}},
			{"overlapping ranges", "hours-tuesday", "se chevauchent", func(v url.Values) { v.Set("hours.tuesday", "09:00-12:00, 11:00-14:00") }},
			{"an inverted range", "hours-friday", "doit précéder", func(v url.Values) { v.Set("hours.friday", "18:00-09:00") }},
			{"a range that is no range", "hours-monday", "09:00-18:00", func(v url.Values) { v.Set("hours.monday", "nine to five") }},
			{"an unknown zone", "cal-zone", "Fuseau horaire inconnu", func(v url.Values) { v.Set("time_zone", "Mars/Olympus") }},
			{"a closure that is no date", "cal-closed", "2026-12-24", func(v url.Values) { v.Set("closed", "christmas") }},
			{"no name", "cal-name", "obligatoire", func(v url.Values) { v.Set("name", " ") }},
		} {
			t.Run(c.name, func(t *testing.T) {
				w := f.as("admin", "POST", "/admin/calendars", calendarForm("Lyon <b>", c.change), form)
				wantStatus(t, w, http.StatusUnprocessableEntity, c.name)
				body := w.Body.String()
				if got := fieldError(body, c.field); !strings.Contains(got, c.want) {
					t.Errorf("message next to %s: %q, want it to say %q", c.field, got, c.want)
				}
				if c.field != "cal-name" && !strings.Contains(body, `value="Lyon &lt;b&gt;"`) {
					t.Error("the typed name is lost, or its HTML is not shown as text")
				}
				if c.field == "hours-tuesday" && !strings.Contains(body, `value="09:00-12:00, 11:00-14:00"`) {
					t.Error("the typed hours are lost")
				}
			})
		}
		cals, err := f.svc.Calendars(ctx, f.actor(t, "admin"), desk.Page{Limit: 100})
		must(t, err)
		if len(cals) != 1 {
			t.Fatalf("refused forms saved calendars: %d calendars", len(cals))
		}

		w := f.as("admin", "POST", "/admin/calendars", calendarForm("Lyon", nil), form)
		wantStatus(t, w, http.StatusSeeOther, "a right calendar")
		loc := w.Header().Get("Location")
		if !strings.HasPrefix(loc, "/admin/calendars/") {
			t.Fatalf("after creating, sent to %q", loc)
		}
		sentTwice(t, f, "/admin/calendars", calendarForm("Lyon", nil), loc)
		id, _ := strconv.ParseInt(strings.TrimPrefix(strings.Split(loc, "?")[0], "/admin/calendars/"), 10, 64)
		c, err := f.svc.Calendar(ctx, f.actor(t, "admin"), id)
		must(t, err)
		if c.TimeZone != "Europe/Paris" || len(c.Hours[time.Monday]) != 2 || len(c.Closed) != 2 || len(c.Open) != 1 {
			t.Errorf("saved calendar %+v", c)
		}
		body := f.as("agent", "GET", "/admin/calendars/"+strconv.FormatInt(id, 10), "").Body.String()
		if !strings.Contains(body, `value="09:00-12:00, 13:30-18:00"`) || !strings.Contains(body, "2026-12-24/2026-12-31") ||
			!strings.Contains(body, "<fieldset disabled>") || strings.Contains(body, `id="save-calendar"`) {
			t.Error("an agent does not see the calendar read-only, as saved")
		}
		if !strings.Contains(f.as("agent", "GET", "/admin/calendars", "").Body.String(), "Lyon") {
			t.Error("the list does not show the new calendar")
		}

		// Editing the demo's default calendar records a new version of ACME's contract.
		before, err := f.svc.Contract(ctx, f.actor(t, "admin"), 1)
		must(t, err)
		w = f.as("admin", "POST", "/admin/calendars/1", calendarForm(desk.DefaultCalendarName, func(v url.Values) {
			v.Set("hours.saturday", "09:00-12:00")
		}), form)
		wantStatus(t, w, http.StatusSeeOther, "editing the default calendar")
		after, err := f.svc.Contract(ctx, f.actor(t, "admin"), 1)
		must(t, err)
		if after.Version != before.Version+1 {
			t.Errorf("contract version %d after the calendar changed, want %d", after.Version, before.Version+1)
		}
		w = f.as("admin", "POST", "/admin/calendars/1", calendarForm(desk.DefaultCalendarName, func(v url.Values) {
			v.Set("hours.saturday", "12:00-09:00")
		}), form)
		wantStatus(t, w, http.StatusUnprocessableEntity, "an inverted range on edit")
		if got := fieldError(w.Body.String(), "hours-saturday"); got == "" || !strings.Contains(w.Body.String(), `value="12:00-09:00"`) {
			t.Errorf("an edit refused: message %q, or the typed range lost", got)
		}
	})
}

// contractForm is a contract's form for Bolt as a browser sends it.
func contractForm(f *fixture, ref string, change func(url.Values)) string {
	v := url.Values{"client": {strconv.FormatInt(f.orgs["bolt"], 10)}, "reference": {ref}, "tier": {"premium"},
		"calendar": {""}, "account_manager": {strconv.FormatInt(f.users["am"].ID, 10)},
		"channels": {"web", "email"}, "spaces": {strconv.FormatInt(f.spaces["BOLT"], 10)},
		"objectives.blocking.first_response": {"30min"}, "objectives.blocking.update": {"2h"},
		"objectives.blocking.resolution": {"1h30"}, "objectives.serious.first_response": {"1,5"},
		"timers.awaiting_client_days": {"30"}, "timers.to_close_days": {"180"}, "timers.to_close_rd_days": {"720"},
		"timers.warning_percent": {"75"}, "timers.stale_days.1": {"7"}, "timers.stale_days.2": {"15"},
		"timers.stale_days.3": {"30"}, "timers.stale_days.4": {"45"}}
	if change != nil {
		change(v)
	}
	return v.Encode()
}

// TestAdminContracts creates and edits a contract through its pages, with its
// objectives per criticality, channels, timers, account manager and spaces.
func TestAdminContracts(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *sqlstore.Store) {
		f := newFixture(t, st, app.Options{})
		ctx := context.Background()

		body := f.as("admin", "GET", "/admin/contracts/new", "").Body.String()
		if !strings.Contains(body, `id="client-form"`) || !strings.Contains(body, "Bolt Logistique") {
			t.Error("the new contract page does not ask for the client first")
		}
		body = f.as("admin", "GET", "/admin/contracts/new?client="+strconv.FormatInt(f.orgs["bolt"], 10), "").Body.String()
		if !strings.Contains(body, `id="contract-form"`) || !strings.Contains(body, "Support Bolt") || strings.Contains(body, "Support Acme") {
			t.Error("the form for Bolt does not offer exactly Bolt's spaces")
		}

		for _, c := range []struct {
			name, field, want string
			change            func(url.Values)
		}{
			{"a target that is no duration", "objectives.serious.update", "4h, 30min", func(v url.Values) { v.Set("objectives.serious.update", "soon") }},
			{"a target over a year", "objectives.minor.resolution", "year", func(v url.Values) { v.Set("objectives.minor.resolution", "9000h") }},
			{"no reference", "contract-reference", "obligatoire", func(v url.Values) { v.Set("reference", "") }},
			{"a warning at 100 %", "timers.warning_percent", "1 to 99", func(v url.Values) { v.Set("timers.warning_percent", "100") }},
			{"another client's space", "spaces", "not a space of this client", func(v url.Values) {
				v.Add("spaces", strconv.FormatInt(f.spaces["ACME"], 10))
			}},
		} {
			t.Run(c.name, func(t *testing.T) {
				w := f.as("admin", "POST", "/admin/contracts", contractForm(f, "BOLT-<i>2026</i>", c.change), form)
				wantStatus(t, w, http.StatusUnprocessableEntity, c.name)
				body := w.Body.String()
				if got := fieldError(body, c.field); !strings.Contains(got, c.want) {
					t.Errorf("message next to %s: %q, want it to say %q", c.field, got, c.want)
				}
				if c.field != "contract-reference" && !strings.Contains(body, `value="BOLT-&lt;i&gt;2026&lt;/i&gt;"`) {
					t.Error("the typed reference is lost, or its HTML is not shown as text")
				}
				if !strings.Contains(body, `value="1,5"`) {
					t.Error("the typed objectives are lost")
				}
			})
		}

		w := f.as("admin", "POST", "/admin/contracts", contractForm(f, "BOLT-2026", nil), form)
		wantStatus(t, w, http.StatusSeeOther, "a right contract")
		sentTwice(t, f, "/admin/contracts", contractForm(f, "BOLT-2026", nil), w.Header().Get("Location"))
		loc := strings.Split(w.Header().Get("Location"), "?")[0]
		id, _ := strconv.ParseInt(strings.TrimPrefix(loc, "/admin/contracts/"), 10, 64)
		c, err := f.svc.Contract(ctx, f.actor(t, "admin"), id)
		must(t, err)
		if got := c.Objectives[desk.Blocking]; got != (desk.Targets{FirstResponse: 30 * time.Minute, Update: 2 * time.Hour, Resolution: 90 * time.Minute}) {
			t.Errorf("blocking targets %+v", got)
		}
		if got := c.Objectives[desk.Serious].FirstResponse; got != 90*time.Minute {
			t.Errorf("serious first response %v, want 1h30 from 1,5", got)
		}
		if c.Timers.WarningPercent != 75 || len(c.Channels) != 2 || c.AccountManagerID != f.users["am"].ID ||
			len(c.SpaceIDs) != 1 || c.Tier != desk.Premium {
			t.Errorf("saved contract %+v", c)
		}
		body = f.as("engineer", "GET", loc, "").Body.String()
		for _, want := range []string{`value="30min"`, `value="1h30"`, `value="2h"`, "<fieldset disabled>", "Support Bolt"} {
			if !strings.Contains(body, want) {
				t.Errorf("the engineer's read-only contract page misses %q", want)
			}
		}
		list := f.as("agent", "GET", "/admin/contracts", "").Body.String()
		if !strings.Contains(list, "BOLT-2026") || !strings.Contains(list, "Bolt Logistique") || !strings.Contains(list, "ACME-TC-2026") {
			t.Error("the list does not show both contracts with their clients")
		}

		// An edit with the table emptied takes the tier's defaults, and records a version.
		w = f.as("admin", "POST", loc, contractForm(f, "BOLT-2026", func(v url.Values) {
			for k := range v {
				if strings.HasPrefix(k, "objectives.") {
					v.Del(k)
				}
			}
			v.Set("tier", "enterprise")
			v.Set("client", strconv.FormatInt(f.orgs["acme"], 10)) // ignored: the client stays
		}), form)
		wantStatus(t, w, http.StatusSeeOther, "an edit")
		c2, err := f.svc.Contract(ctx, f.actor(t, "admin"), id)
		must(t, err)
		if c2.Version != c.Version+1 || c2.ClientID != f.orgs["bolt"] ||
			c2.Objectives[desk.Blocking] != desk.DefaultObjectives(desk.Enterprise)[desk.Blocking] {
			t.Errorf("after the edit: version %d, client %d, blocking %+v", c2.Version, c2.ClientID, c2.Objectives[desk.Blocking])
		}
	})
}

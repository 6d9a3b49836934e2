package server_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"guichet/internal/app"
	"guichet/internal/demo"
	"guichet/internal/desk"
	"guichet/internal/sqlstore"
	"guichet/internal/storetest"
)

// idOf reads the id at the end of a Location such as /admin/users/12?done=created.
func idOf(t *testing.T, loc, prefix string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(strings.TrimPrefix(strings.Split(loc, "?")[0], prefix), 10, 64)
	if err != nil {
		t.Fatalf("Location %q is not under %s: %v", loc, prefix, err)
	}
	return id
}

// TestAdminOrganisations creates a partner, records its training, and shows the
// refusals next to their fields with what was typed.
func TestAdminOrganisations(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *sqlstore.Store) {
		f := newFixture(t, st, app.Options{})
		ctx := context.Background()

		w := f.as("admin", "POST", "/admin/organisations", "kind=partner&name=Int%C3%A9grateur+%3Cb%3ESud%3C%2Fb%3E&trained=1", form)
		wantStatus(t, w, http.StatusUnprocessableEntity, "trained without a date")
		body := w.Body.String()
		if got := fieldError(body, "org-trained-on"); got == "" {
			t.Error("no message next to the training date")
		}
		if !strings.Contains(body, `value="Intégrateur &lt;b&gt;Sud&lt;/b&gt;"`) || !strings.Contains(body, `id="org-trained" name="trained" value="1" checked`) {
			t.Error("the typed name or the ticked box is lost, or the name's HTML is not text")
		}
		sentTwice(t, f, "/admin/organisations", "kind=client&name=acme+industrie",
			"/admin/organisations/"+strconv.FormatInt(f.orgs["acme"], 10))

		w = f.as("admin", "POST", "/admin/organisations", "kind=partner&name=Int%C3%A9grateur+%3Cb%3ESud%3C%2Fb%3E", form)
		wantStatus(t, w, http.StatusSeeOther, "an untrained partner")
		id := idOf(t, w.Header().Get("Location"), "/admin/organisations/")
		path := "/admin/organisations/" + strconv.FormatInt(id, 10)
		w = f.as("admin", "POST", path, "name=Int%C3%A9grateur+Sud&trained=1&trained_on=2026-03-15", form)
		wantStatus(t, w, http.StatusSeeOther, "training recorded")
		o, err := f.svc.Organisation(ctx, f.actor(t, "admin"), id)
		must(t, err)
		if o.Name != "Intégrateur Sud" || !o.Trained || o.TrainedOn == nil || o.TrainedOn.Format("2006-01-02") != "2026-03-15" {
			t.Errorf("saved organisation %+v", o)
		}
		w = f.as("admin", "POST", "/admin/organisations", "kind=client&name=Forged+client", form,
			header("Origin", "https://evil.example"), header("Sec-Fetch-Site", "cross-site"))
		wantStatus(t, w, http.StatusForbidden, "a cross-site form")
		if strings.Contains(f.as("admin", "GET", "/admin/organisations", "").Body.String(), "Forged client") {
			t.Error("the cross-site form created an organisation")
		}
		list := f.as("agent", "GET", "/admin/organisations?kind=partner", "").Body.String()
		if !strings.Contains(list, "Intégrateur Sud") || !strings.Contains(list, "formé le 2026-03-15") || strings.Contains(list, "Acme Industrie") {
			t.Error("the partners' list does not show the partner trained, or shows a client")
		}
		if body := f.as("agent", "GET", path, "").Body.String(); !strings.Contains(body, "<fieldset disabled") || strings.Contains(body, `id="save-org"`) {
			t.Error("an agent is offered to change the organisation")
		}
	})
}

// TestAdminUsers creates users through the form, refuses a role of the wrong
// side next to the roles, changes roles and disables an account.
func TestAdminUsers(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *sqlstore.Store) {
		f := newFixture(t, st, app.Options{})
		ctx := context.Background()
		newUser := func(change func(url.Values)) string {
			v := url.Values{"org": {strconv.FormatInt(f.orgs["acme"], 10)}, "email": {"nadia@acme.example"},
				"name": {"Nadia <i>Achats</i>"}, "locale": {"en"}, "password": {"a long enough password"},
				"roles": {"contact", "contract_manager"}}
			if change != nil {
				change(v)
			}
			return v.Encode()
		}
		for _, c := range []struct {
			name, field, want string
			status            int
			change            func(url.Values)
		}{
			{"a provider role for a client user", "roles", "provider staff only", 422, func(v url.Values) { v.Add("roles", "agent") }},
			{"a short password", "user-password", "", 422, func(v url.Values) { v.Set("password", "short") }},
			{"no organisation", "user-org", "", 422, func(v url.Values) { v.Set("org", "") }},
			{"another client's user's address", "user-email", "existe déjà", 409, func(v url.Values) { v.Set("email", "contact@bolt.example") }},
		} {
			t.Run(c.name, func(t *testing.T) {
				w := f.as("admin", "POST", "/admin/users", newUser(c.change), form)
				wantStatus(t, w, c.status, c.name)
				body := w.Body.String()
				if got := fieldError(body, c.field); got == "" || !strings.Contains(got, c.want) {
					t.Errorf("message next to %s: %q, want one saying %q", c.field, got, c.want)
				}
				if !strings.Contains(body, `value="Nadia &lt;i&gt;Achats&lt;/i&gt;"`) || !strings.Contains(body, `value="contract_manager" checked`) {
					t.Error("the typed name or the ticked roles are lost")
				}
				if strings.Contains(body, "a long enough password") {
					t.Error("the password typed is sent back")
				}
			})
		}

		w := f.as("admin", "POST", "/admin/users", newUser(nil), form)
		wantStatus(t, w, http.StatusSeeOther, "a right user")
		sentTwice(t, f, "/admin/users", newUser(nil), w.Header().Get("Location"))
		id := idOf(t, w.Header().Get("Location"), "/admin/users/")
		u, err := f.svc.User(ctx, f.actor(t, "admin"), id)
		must(t, err)
		if u.Locale != "en" || len(u.Roles) != 2 || u.Roles[0].ClientID != f.orgs["acme"] {
			t.Errorf("saved user %+v", u)
		}
		if _, err := f.svc.Login(ctx, "nadia@acme.example", "a long enough password", "192.0.2.9"); err != nil {
			t.Errorf("the new user cannot sign in: %v", err)
		}
		list := f.as("agent", "GET", "/admin/users?org="+strconv.FormatInt(f.orgs["acme"], 10), "").Body.String()
		if !strings.Contains(list, "Nadia &lt;i&gt;Achats&lt;/i&gt;") || !strings.Contains(list, "Responsable du contrat") ||
			strings.Contains(list, "contact@bolt.example") {
			t.Error("Acme's users list misses the new user and their roles, or shows Bolt's")
		}

		path := "/admin/users/" + strconv.FormatInt(id, 10)
		w = f.as("admin", "POST", path, "name=Nadia+Achats&locale=fr&roles=animator&disabled=1", form)
		wantStatus(t, w, http.StatusSeeOther, "roles changed and account disabled")
		u, err = f.svc.User(ctx, f.actor(t, "admin"), id)
		must(t, err)
		if !u.Disabled || len(u.Roles) != 1 || u.Roles[0].Role != desk.Animator || u.Locale != "fr" {
			t.Errorf("after the edit: %+v", u)
		}
		if _, err := f.svc.Login(ctx, "nadia@acme.example", "a long enough password", "192.0.2.9"); err == nil {
			t.Error("a disabled user signs in")
		}
		self := "/admin/users/" + strconv.FormatInt(f.users["admin"].ID, 10)
		w = f.as("admin", "POST", self, "name="+url.QueryEscape(f.users["admin"].Name)+"&locale=fr&roles=agent", form)
		wantStatus(t, w, http.StatusUnprocessableEntity, "an administrator dropping their own role")
		if got := fieldError(w.Body.String(), "roles"); got == "" {
			t.Error("no message next to the roles")
		}
		if _, err := f.svc.Login(ctx, emails["admin"], demo.Password, "192.0.2.10"); err != nil {
			t.Errorf("the administrator lost their account: %v", err)
		}
	})
}

// TestAdminUserPages follows the users list's "next page" link, filtered by
// organisation and not: every user shows once.
func TestAdminUserPages(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *sqlstore.Store) {
		f := newFixture(t, st, app.Options{})
		for i := range 45 {
			_, err := f.svc.CreateUser(context.Background(), desk.System(), app.NewUser{OrgID: f.orgs["bolt"],
				Email: "driver" + strconv.Itoa(i) + "@bolt.example", Name: "Driver " + strconv.Itoa(i), Password: demo.Password})
			must(t, err)
		}
		link := regexp.MustCompile(`href="/admin/users/(\d+)"`)
		next := regexp.MustCompile(`id="next-page" href="([^"]+)"`)
		for query, want := range map[string]int{"": 45 + len(f.users), "?org=" + strconv.FormatInt(f.orgs["bolt"], 10): 47} {
			seen := map[string]bool{}
			path := "/admin/users" + query
			for pages := 0; path != "" && pages < 5; pages++ {
				w := f.as("agent", "GET", path, "")
				wantStatus(t, w, http.StatusOK, path)
				for _, m := range link.FindAllStringSubmatch(w.Body.String(), -1) {
					if seen[m[1]] {
						t.Errorf("%s: user %s shows twice", query, m[1])
					}
					seen[m[1]] = true
				}
				path = ""
				if m := next.FindStringSubmatch(w.Body.String()); m != nil {
					path = "/admin/users" + html.UnescapeString(m[1])
				}
			}
			if len(seen) != want {
				t.Errorf("users%s: %d over the pages, want %d", query, len(seen), want)
			}
		}
	})
}

// TestAdminSpaces creates a space for a client, renames it, adds and renames
// projects, and links to its members page.
func TestAdminSpaces(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *sqlstore.Store) {
		f := newFixture(t, st, app.Options{})
		ctx := context.Background()
		bolt := strconv.FormatInt(f.orgs["bolt"], 10)

		w := f.as("admin", "POST", "/admin/spaces", "client="+bolt+"&key=b+2&name=Bolt+%3Cs%3Eentrep%C3%B4t%3C%2Fs%3E", form)
		wantStatus(t, w, http.StatusUnprocessableEntity, "a key with a space")
		if got := fieldError(w.Body.String(), "space-key"); got == "" || !strings.Contains(w.Body.String(), `value="b 2"`) ||
			!strings.Contains(w.Body.String(), `value="Bolt &lt;s&gt;entrepôt&lt;/s&gt;"`) {
			t.Errorf("key refused: message %q, or the typed key and name lost", got)
		}
		w = f.as("admin", "POST", "/admin/spaces", "client="+bolt+"&key=ACME&name=Another", form)
		wantStatus(t, w, http.StatusConflict, "a key in use")
		w = f.as("admin", "POST", "/admin/spaces", "client="+strconv.FormatInt(f.orgs["integra"], 10)+"&key=INT&name=Partner", form)
		wantStatus(t, w, http.StatusUnprocessableEntity, "a space for a partner")

		w = f.as("admin", "POST", "/admin/spaces", "client="+bolt+"&key=bwh&name=Bolt+entrep%C3%B4t", form)
		wantStatus(t, w, http.StatusSeeOther, "a right space")
		sentTwice(t, f, "/admin/spaces", "client="+bolt+"&key=bwh&name=Bolt+entrep%C3%B4t", w.Header().Get("Location"))
		id := idOf(t, w.Header().Get("Location"), "/admin/spaces/")
		sp, err := f.svc.Space(ctx, f.actor(t, "admin"), id)
		must(t, err)
		if sp.Key != "BWH" || sp.RequireDiagnostic || sp.ClientID != f.orgs["bolt"] {
			t.Errorf("saved space %+v (the box was not ticked: no diagnostic required)", sp)
		}
		path := "/admin/spaces/" + strconv.FormatInt(id, 10)
		wantStatus(t, f.as("admin", "POST", path, "name=Bolt+entrep%C3%B4ts&require_diagnostic=1", form), http.StatusSeeOther, "renamed")

		wantStatus(t, f.as("am", "POST", path+"/projects", "name=Quais", form), http.StatusSeeOther, "an account manager adds a project")
		wantStatus(t, f.as("admin", "POST", path+"/projects", "name=Quais", form), http.StatusConflict, "the same project again")
		projects, err := f.svc.Projects(ctx, f.actor(t, "admin"), id, desk.Page{Limit: 10})
		must(t, err)
		if len(projects) != 1 {
			t.Fatalf("projects %+v, want one", projects)
		}
		rename := "/admin/projects/" + strconv.FormatInt(projects[0].ID, 10)
		w = f.as("admin", "POST", rename, "name=+", form)
		wantStatus(t, w, http.StatusUnprocessableEntity, "a project without a name")
		if got := fieldError(w.Body.String(), "project-"+strconv.FormatInt(projects[0].ID, 10)); got == "" {
			t.Error("no message next to the renamed project")
		}
		wantStatus(t, f.as("admin", "POST", rename, "name=Quais+de+chargement", form), http.StatusSeeOther, "a project renamed")

		body := f.as("engineer", "GET", path, "").Body.String()
		for _, want := range []string{"Bolt entrepôts", "Quais de chargement", "aucun (pas d&#39;objectif de délai)", `href="/spaces/` + strconv.FormatInt(id, 10) + `/members"`, "<fieldset disabled"} {
			if !strings.Contains(body, want) {
				t.Errorf("the engineer's space page misses %q", want)
			}
		}
		if strings.Contains(body, `id="project-form"`) {
			t.Error("an engineer is offered to add projects")
		}
		acme := f.as("agent", "GET", "/admin/spaces/"+strconv.FormatInt(f.spaces["ACME"], 10), "").Body.String()
		if !strings.Contains(acme, ">ACME-TC-2026</a>") {
			t.Error("ACME's space page does not name its contract")
		}
		if !strings.Contains(f.as("agent", "GET", "/admin/organisations/"+strconv.FormatInt(f.orgs["acme"], 10), "").Body.String(), ">ACME-TC-2026</a>") {
			t.Error("Acme's page does not list its contract")
		}
		list := f.as("agent", "GET", "/admin/spaces?client="+bolt, "").Body.String()
		if !strings.Contains(list, "BWH") || strings.Contains(list, "Support Acme") {
			t.Error("Bolt's spaces list misses the new space or shows Acme's")
		}
	})
}

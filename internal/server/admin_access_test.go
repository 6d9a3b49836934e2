package server_test

import (
	"context"
	"html"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"guichet/internal/app"
	"guichet/internal/sqlstore"
	"guichet/internal/storetest"
)

// The administration pages' rows of the access matrix. Provider staff read
// every page; provider administrators write (account managers also add and
// rename projects, as through the API). For clients and partners the
// administration does not exist: every page answers 404, whatever the id, so
// that a refusal names nothing; anonymous visitors are sent to sign in.
var (
	//                adm  agt  eng  pm   am   cnt  ani  cm   sec  dpo  prt  oth  anon
	adminRead    = row{200, 200, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 303}
	adminWrite   = row{303, 403, 403, 403, 403, 404, 404, 404, 404, 404, 404, 404, 401}
	adminRefused = row{422, 403, 403, 403, 403, 404, 404, 404, 404, 404, 404, 404, 401}
	adminMissing = row{404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 303}
)

// adminPaths are the pages TestAdminRefusals reads as every client and partner.
var adminPaths = []string{"/admin", "/admin/calendars", "/admin/calendars/new", "/admin/calendars/1",
	"/admin/contracts", "/admin/contracts/new", "/admin/contracts/1", "/admin/organisations", "/admin/organisations/1",
	"/admin/users", "/admin/users/new", "/admin/users/1", "/admin/spaces", "/admin/spaces/1"}

func init() {
	matrix["GET /admin"] = []check{{label: "home", path: "/admin", want: adminRead}}

	calendar := "name=Strasbourg+page+{role}&time_zone=Europe%2FParis&holidays=fr-alsace-moselle" +
		"&hours.monday=08%3A30-12%3A00%2C+13%3A30-17%3A30&hours.friday=08%3A30-12%3A00"
	matrix["GET /admin/calendars"] = []check{{label: "list", path: "/admin/calendars", want: adminRead}}
	matrix["GET /admin/calendars/new"] = []check{{label: "form", path: "/admin/calendars/new", want: adminRead}}
	matrix["POST /admin/calendars"] = []check{
		{label: "new calendar", path: "/admin/calendars", form: true, body: calendar, want: adminWrite},
		{label: "without hours", path: "/admin/calendars", form: true, body: "name=Empty+{role}&time_zone=Europe%2FParis&holidays=fr",
			want: adminRefused},
	}
	matrix["GET /admin/calendars/{calendar_id}"] = []check{
		{label: "the default calendar", path: "/admin/calendars/1", want: adminRead},
		{label: "no such calendar", path: "/admin/calendars/999", want: adminMissing},
	}
	matrix["POST /admin/calendars/{calendar_id}"] = []check{
		{label: "close Christmas week", path: "/admin/calendars/1", form: true,
			body: "name=France%2C+Monday+to+Friday+09%3A00-18%3A00&time_zone=Europe%2FParis&holidays=fr&closed=2026-12-24%2F2026-12-31" +
				"&hours.monday=09%3A00-18%3A00&hours.tuesday=09%3A00-18%3A00&hours.wednesday=09%3A00-18%3A00" +
				"&hours.thursday=09%3A00-18%3A00&hours.friday=09%3A00-18%3A00", want: adminWrite},
		{label: "an unknown zone", path: "/admin/calendars/1", form: true,
			body: "name=Default&time_zone=Mars%2FOlympus&holidays=fr&hours.monday=09%3A00-18%3A00", want: adminRefused},
	}

	matrix["GET /admin/contracts"] = []check{{label: "list", path: "/admin/contracts", want: adminRead}}
	matrix["GET /admin/contracts/new"] = []check{
		{label: "choose a client", path: "/admin/contracts/new", want: adminRead},
		{label: "for Bolt", path: "/admin/contracts/new?client={org:bolt}", want: adminRead},
	}
	matrix["POST /admin/contracts"] = []check{
		{label: "Bolt's contract", path: "/admin/contracts", form: true,
			body: "client={org:bolt}&reference=BOLT-page-{role}&tier=premium&channels=web&objectives.blocking.first_response=1h",
			want: adminWrite},
		{label: "a target that is no duration", path: "/admin/contracts", form: true,
			body: "client={org:bolt}&reference=BOLT-bad-{role}&tier=premium&objectives.blocking.first_response=soon",
			want: adminRefused},
	}
	matrix["GET /admin/contracts/{contract_id}"] = []check{
		{label: "ACME's contract", path: "/admin/contracts/1", want: adminRead},
		{label: "no such contract", path: "/admin/contracts/999", want: adminMissing},
	}
	matrix["POST /admin/contracts/{contract_id}"] = []check{
		{label: "ACME stays total care", path: "/admin/contracts/1", form: true,
			body: "reference=ACME-TC-2026&tier=total_care&channels=web&channels=api&channels=email&account_manager={user:am}" +
				"&spaces={space:ACME}&spaces={space:ACMEX}",
			want: adminWrite},
		{label: "a warning at 100 %", path: "/admin/contracts/1", form: true,
			body: "reference=ACME-TC-2026&tier=total_care&timers.awaiting_client_days=30&timers.to_close_days=180" +
				"&timers.to_close_rd_days=720&timers.warning_percent=100&timers.stale_days.1=7&timers.stale_days.2=15" +
				"&timers.stale_days.3=30&timers.stale_days.4=45",
			want: adminRefused},
	}

	matrix["GET /admin/organisations"] = []check{
		{label: "list", path: "/admin/organisations", want: adminRead},
		{label: "the partners", path: "/admin/organisations?kind=partner", want: adminRead},
	}
	matrix["POST /admin/organisations"] = []check{
		{label: "new client", path: "/admin/organisations", form: true, body: "kind=client&name=Page+client+of+{role}", want: adminWrite},
		{label: "a trained partner without a date", path: "/admin/organisations", form: true,
			body: "kind=partner&name=Page+partner+of+{role}&trained=1", want: adminRefused},
	}
	matrix["GET /admin/organisations/{org_id}"] = []check{
		{label: "Acme", path: "/admin/organisations/{org:acme}", want: adminRead},
		{label: "Intégra", path: "/admin/organisations/{org:integra}", want: adminRead},
		{label: "no such organisation", path: "/admin/organisations/999999", want: adminMissing},
	}
	matrix["POST /admin/organisations/{org_id}"] = []check{
		{label: "Bolt, same name", path: "/admin/organisations/{org:bolt}", form: true, body: "name=Bolt+Logistique", want: adminWrite},
		{label: "Bolt, no name", path: "/admin/organisations/{org:bolt}", form: true, body: "name=", want: adminRefused},
	}

	matrix["GET /admin/users"] = []check{
		{label: "list", path: "/admin/users", want: adminRead},
		{label: "Bolt's", path: "/admin/users?org={org:bolt}", want: adminRead},
	}
	matrix["GET /admin/users/new"] = []check{{label: "form", path: "/admin/users/new?org={org:acme}", want: adminRead}}
	matrix["POST /admin/users"] = []check{
		{label: "new Acme contact", path: "/admin/users", form: true,
			body: "org={org:acme}&email=page-{role}%40acme.example&name=Page+{role}&locale=en&password=a+long+enough+password&roles=contact",
			want: adminWrite},
		{label: "an Acme user with a provider role", path: "/admin/users", form: true,
			body: "org={org:acme}&email=agent-{role}%40acme.example&name=Agent+{role}&locale=fr&password=a+long+enough+password&roles=agent",
			want: adminRefused},
	}
	matrix["GET /admin/users/{user_id}"] = []check{
		{label: "Bolt's contact", path: "/admin/users/{user:other}", want: adminRead},
		{label: "no such user", path: "/admin/users/999999", want: adminMissing},
	}
	matrix["POST /admin/users/{user_id}"] = []check{
		{label: "Bolt's spare user, same name", path: "/admin/users/{user:spare-bolt}", form: true, body: "name=Spare+bolt&locale=fr",
			want: adminWrite},
		{label: "Bolt's spare user, no name", path: "/admin/users/{user:spare-bolt}", form: true, body: "name=&locale=fr",
			want: adminRefused},
	}

	matrix["GET /admin/spaces"] = []check{
		{label: "list", path: "/admin/spaces", want: adminRead},
		{label: "Bolt's", path: "/admin/spaces?client={org:bolt}", want: adminRead},
	}
	matrix["POST /admin/spaces"] = []check{
		{label: "a new Bolt space", path: "/admin/spaces", form: true, body: "client={org:bolt}&key=PAGESP&name=Bolt+pages&require_diagnostic=1",
			want: adminWrite},
		{label: "a key with a space in it", path: "/admin/spaces", form: true, body: "client={org:bolt}&key=A+B&name=Bolt+pages",
			want: adminRefused},
	}
	matrix["GET /admin/spaces/{space_id}"] = []check{
		{label: "BOLT", path: "/admin/spaces/{space:BOLT}", want: adminRead},
		{label: "no such space", path: "/admin/spaces/999999", want: adminMissing},
	}
	matrix["POST /admin/spaces/{space_id}"] = []check{
		{label: "BOLT, same name", path: "/admin/spaces/{space:BOLT}", form: true, body: "name=Support+Bolt&require_diagnostic=1",
			want: adminWrite},
		{label: "BOLT, no name", path: "/admin/spaces/{space:BOLT}", form: true, body: "name=", want: adminRefused},
	}
	//                      adm  agt  eng  pm   am   cnt  ani  cm   sec  dpo  prt  oth  anon
	projectWrite := row{303, 403, 403, 403, 303, 404, 404, 404, 404, 404, 404, 404, 401}
	projectRefused := row{422, 403, 403, 403, 422, 404, 404, 404, 404, 404, 404, 404, 401}
	matrix["POST /admin/spaces/{space_id}/projects"] = []check{
		{label: "in BOLT", path: "/admin/spaces/{space:BOLT}/projects", form: true, body: "name=Admin+project+of+{role}", want: projectWrite},
		{label: "without a name", path: "/admin/spaces/{space:BOLT}/projects", form: true, body: "name=", want: projectRefused},
	}
	matrix["POST /admin/projects/{project_id}"] = []check{
		{label: "Bolt's, same name", path: "/admin/projects/{project:bolt}", form: true, body: "name=Entrep%C3%B4t+connect%C3%A9", want: projectWrite},
		{label: "Bolt's, no name", path: "/admin/projects/{project:bolt}", form: true, body: "name=", want: projectRefused},
	}
}

// TestAdminRefusals checks that the administration's refusals name nothing: a
// client or partner asking for any of its pages gets the same not-found page,
// with no organisation, calendar or contract of anybody in it, and sees no
// link to it; provider staff other than administrators see no link either.
func TestAdminRefusals(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *sqlstore.Store) {
		f := newFixture(t, st, app.Options{})
		secrets := []string{"Bolt Logistique", "Intégra Conseil", "Novice Services", "ACME-TC-2026", "Monday to Friday"}
		for _, role := range []string{"contact", "animator", "contract", "security", "dpo", "partner", "other"} {
			for _, path := range adminPaths {
				w := f.as(role, "GET", path, "")
				wantStatus(t, w, http.StatusNotFound, role+" GET "+path)
				for _, s := range secrets {
					if strings.Contains(w.Body.String(), s) {
						t.Errorf("%s GET %s: the refusal names %q", role, path, s)
					}
				}
			}
			if strings.Contains(f.as(role, "GET", "/", "").Body.String(), `href="/admin"`) {
				t.Errorf("%s sees a link to the administration", role)
			}
		}
		for role, link := range map[string]bool{"admin": true, "agent": false, "am": false} {
			if got := strings.Contains(f.as(role, "GET", "/", "").Body.String(), `id="nav-admin"`); got != link {
				t.Errorf("%s: administration link shown %v, want %v", role, got, link)
			}
		}
	})
}

// TestAdminEnglish reads every administration page in English: the page's own
// words are English, none of the French catalogue's.
func TestAdminEnglish(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *sqlstore.Store) {
		f := newFixture(t, st, app.Options{})
		en := "en"
		_, err := f.svc.UpdateUser(context.Background(), f.actor(t, "admin"), f.users["admin"].ID, app.UserPatch{Locale: &en})
		must(t, err)
		french := []string{"Calendriers ouvrés", "Utilisateurs et rôles", "Heures d'ouverture", "Niveau de service",
			"Référence", "Rôles", "Espaces et projets", "Enregistrer"}
		for _, path := range append(adminPaths, "/admin/contracts/new?client="+strconv.FormatInt(f.orgs["acme"], 10)) {
			body := f.as("admin", "GET", path, "").Body.String()
			if !strings.Contains(body, `<html lang="en">`) {
				t.Errorf("%s is not in English", path)
			}
			for _, w := range french {
				if strings.Contains(body, w) || strings.Contains(body, html.EscapeString(w)) {
					t.Errorf("%s: French %q on an English page", path, w)
				}
			}
		}
	})
}

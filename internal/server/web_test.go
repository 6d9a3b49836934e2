package server_test

import (
	"fmt"
	"html"
	"net/http"
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

// TestPages checks, through HTTP, what the pages show to whom: private comments
// and the internal priority never reach client and partner users, typed HTML stays
// text, cross-site forms are refused, static files are cached under hashed names.
func TestPages(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *sqlstore.Store) {
		f := newFixture(t, st, app.Options{})
		f.seedTickets(t)
		acme := "/tickets/" + strconv.FormatInt(f.tickets["acme"].ID, 10)
		page := func(role, path string) string {
			t.Helper()
			w := f.as(role, "GET", path, "")
			wantStatus(t, w, http.StatusOK, role+" GET "+path)
			return w.Body.String()
		}
		const private = "the customer runs an old driver"

		t.Run("private comments and the internal priority are for staff only", func(t *testing.T) {
			for _, role := range []string{"admin", "agent", "engineer", "pm", "am"} {
				body := page(role, acme)
				if !strings.Contains(body, private) || !strings.Contains(body, `class="comment private"`) {
					t.Errorf("%s: the private comment is missing or not marked private", role)
				}
				if !strings.Contains(body, `id="ticket-priority"`) || !strings.Contains(body, "driver.txt") {
					t.Errorf("%s: the internal priority or the private comment's file is missing", role)
				}
			}
			for _, role := range []string{"contact", "animator", "contract", "security", "dpo"} {
				for _, path := range []string{acme, acme + "/live?seq=0"} {
					body := page(role, path)
					for _, secret := range []string{private, "driver.txt", `id="ticket-priority"`, "Priorité interne", "comment private", "P3"} {
						if strings.Contains(body, secret) {
							t.Errorf("%s: %s shows %q", role, path, secret)
						}
					}
					if !strings.Contains(body, "Looking into it.") {
						t.Errorf("%s: %s misses the public answer", role, path)
					}
				}
			}
		})

		t.Run("a client's live poll answers 204 until something they may see happens", func(t *testing.T) {
			body := page("contact", acme)
			i := strings.Index(body, "/live?seq=")
			seq := body[i+len("/live?seq=") : i+len("/live?seq=")+strings.IndexAny(body[i+len("/live?seq="):], "&\"")]
			live := acme + "/live?seq=" + seq
			wantStatus(t, f.as("contact", "GET", live, ""), http.StatusNoContent, "poll with nothing new")
			f.comment(t, "agent", f.tickets["acme"].ID, "Another private note.", true)
			wantStatus(t, f.as("contact", "GET", live, ""), http.StatusNoContent, "poll after a private comment")
			if w := f.as("agent", "GET", live, ""); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Another private note.") {
				t.Errorf("the agent's poll: status %d, want 200 with the new private note", w.Code)
			}
			f.comment(t, "agent", f.tickets["acme"].ID, "A public answer.", false)
			w := f.as("contact", "GET", live, "")
			if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "A public answer.") ||
				strings.Contains(w.Body.String(), "Another private note.") {
				t.Errorf("poll after a public answer: status %d; body %s", w.Code, trim(w.Body.String()))
			}
		})

		t.Run("HTML typed in a comment and a title shows as text", func(t *testing.T) {
			w := f.as("contact", "POST", acme+"/comments", "body=%3Cscript%3Ewindow.x%3D1%3C%2Fscript%3E%3Cimg+src%3Dx+onerror%3Dalert(1)%3E", form)
			wantStatus(t, w, http.StatusSeeOther, "comment with HTML")
			body := page("contact", acme)
			if strings.Contains(body, "<script>window.x") || strings.Contains(body, "<img src=x") || strings.Contains(body, "onerror=") {
				t.Error("the comment's HTML reached the page as markup")
			}
			w = f.as("contact", "POST", "/spaces/"+strconv.FormatInt(f.spaces["ACME"], 10)+"/tickets",
				"token=xss&title=%3Cb%3Ebold%3C%2Fb%3E&nature=question&criticality=minor", form)
			wantStatus(t, w, http.StatusSeeOther, "ticket with HTML in the title")
			body = page("contact", w.Header().Get("Location"))
			if !strings.Contains(body, "&lt;b&gt;bold&lt;/b&gt;") || strings.Contains(body, "<b>bold</b>") {
				t.Error("the title's HTML is not shown as text")
			}
		})

		t.Run("an invalid form keeps what was typed and says why next to the field", func(t *testing.T) {
			w := f.as("contact", "POST", "/spaces/"+strconv.FormatInt(f.spaces["ACME"], 10)+"/tickets",
				"token=bad&title=Kept+title&nature=anomaly&criticality=serious&description=kept+description", form)
			wantStatus(t, w, http.StatusUnprocessableEntity, "an anomaly without status.xml")
			body := w.Body.String()
			for _, want := range []string{`value="Kept title"`, "kept description", "status.xml", `class="field-error"`} {
				if !strings.Contains(body, want) {
					t.Errorf("the refused form misses %q", want)
				}
			}
		})

		t.Run("a cross-site form is refused", func(t *testing.T) {
			w := f.as("contact", "POST", acme+"/comments", "body=forged", form,
				header("Origin", "https://evil.example"), header("Sec-Fetch-Site", "cross-site"))
			wantStatus(t, w, http.StatusForbidden, "cross-site comment")
			if strings.Contains(page("contact", acme), "forged") {
				t.Error("the cross-site comment was saved")
			}
		})

		t.Run("the partner's view is read-only", func(t *testing.T) {
			body := page("partner", "/tickets")
			if !strings.Contains(body, `id="readonly-note"`) || strings.Contains(body, `id="new-ticket"`) {
				t.Error("the partner's list lacks the read-only note or shows a create button")
			}
			body = page("partner", "/spaces/"+strconv.FormatInt(f.spaces["ACMEX"], 10))
			if strings.Contains(body, `id="new-ticket"`) || strings.Contains(body, "/tickets/new") {
				t.Error("the partner sees a create button in ACMEX")
			}
			if !strings.Contains(body, html.EscapeString(ticketTitles["acmex"])) {
				t.Error("the partner does not see ACMEX's ticket")
			}
			body = page("partner", "/tickets/"+strconv.FormatInt(f.tickets["acmex"].ID, 10))
			if strings.Contains(body, `id="comment-form"`) || strings.Contains(body, `id="workflow"`) {
				t.Error("the partner's ticket page offers to comment or act")
			}
		})

		t.Run("every workflow step asks for its fields, and says which is missing next to it", func(t *testing.T) {
			tk := f.openTicket(t, "contact", app.NewTicket{SpaceID: f.spaces["ACME"], Title: "Export to CSV",
				Nature: desk.Evolution, Criticality: desk.Minor})
			path := "/tickets/" + strconv.FormatInt(tk.ID, 10)
			if !strings.Contains(page("agent", path), `id="act-submit_to_rd"`) {
				t.Fatal("the agent is not offered to submit the evolution to R&D")
			}
			wantStatus(t, f.as("agent", "POST", path+"/transitions", "action=submit_to_rd", form), http.StatusSeeOther, "submit to R&D")
			if strings.Contains(page("agent", path), `id="act-decide"`) {
				t.Error("an agent is offered the product manager's decision")
			}
			w := f.as("pm", "POST", path+"/transitions", "action=decide&decision=accepted_planned&decision_note=Good+idea", form)
			wantStatus(t, w, http.StatusUnprocessableEntity, "accepted and planned without a target version")
			body := w.Body.String()
			decide := body[strings.Index(body, `id="act-decide"`):]
			decide = decide[:strings.Index(decide, "</form>")]
			target := decide[strings.Index(decide, `id="target_version"`):]
			if !strings.HasPrefix(target[strings.Index(target, ">")+1:], "\n<p class=\"field-error\"") {
				t.Errorf("the decision form does not say the target version is missing: %s", trim(decide))
			}
			if !strings.Contains(decide, "Good idea") {
				t.Error("the explanation typed was lost")
			}
			w = f.as("pm", "POST", path+"/transitions", "action=decide&decision=accepted_planned&target_version=5.0", form)
			wantStatus(t, w, http.StatusSeeOther, "accepted and planned for 5.0")
			if !strings.Contains(page("contact", path), `data-status="awaiting_delivery"`) {
				t.Error("after the decision the ticket does not await delivery")
			}
		})

		t.Run("a token made on the account page works until revoked there", func(t *testing.T) {
			w := f.as("contact", "POST", "/account/tokens", "name=backup+script&days=30", form)
			wantStatus(t, w, http.StatusCreated, "new token")
			m := regexp.MustCompile(`<pre>(gch_[A-Za-z0-9_-]+)</pre>`).FindStringSubmatch(w.Body.String())
			if m == nil {
				t.Fatal("the page does not show the new token's secret")
			}
			wantStatus(t, serve(f.srv, "GET", "/api/v1/me", "", bearer(m[1])), http.StatusOK, "the API with the new token")
			if strings.Contains(page("contact", "/account"), m[1]) {
				t.Error("the secret shows again on the account page")
			}
			id := regexp.MustCompile(`action="/account/tokens/(\d+)/revoke"[^>]*><button[^>]*aria-label="Révoquer backup script"`).
				FindStringSubmatch(page("contact", "/account"))
			if id == nil {
				t.Fatal("no revoke button for the new token")
			}
			wantStatus(t, f.as("contact", "POST", "/account/tokens/"+id[1]+"/revoke", "", form), http.StatusSeeOther, "revoke")
			wantStatus(t, serve(f.srv, "GET", "/api/v1/me", "", bearer(m[1])), http.StatusUnauthorized, "the API with the revoked token")
			wantStatus(t, f.as("animator", "POST", "/account/tokens/"+id[1]+"/revoke", "", form), http.StatusNotFound,
				"another person revoking it")
		})

		t.Run("static files are cached under hashed names and sent compressed", func(t *testing.T) {
			body := page("contact", "/")
			i := strings.Index(body, "/static/htmx.min.")
			if i < 0 {
				t.Fatal("the page does not load htmx under a hashed name")
			}
			src := body[i : i+strings.IndexByte(body[i:], '"')]
			w := serve(f.srv, "GET", src, "", header("Accept-Encoding", "gzip"))
			wantStatus(t, w, http.StatusOK, src)
			if cc := w.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") || !strings.Contains(cc, "max-age=31536000") {
				t.Errorf("%s: Cache-Control %q, want a year, immutable", src, cc)
			}
			if w.Header().Get("Content-Encoding") != "gzip" || w.Body.Len() > 20_000 {
				t.Errorf("%s: encoding %q, %d bytes; want gzip under 20 kB", src, w.Header().Get("Content-Encoding"), w.Body.Len())
			}
			w = serve(f.srv, "GET", src, "", header("If-None-Match", w.Header().Get("ETag")))
			wantStatus(t, w, http.StatusNotModified, "revalidation")
		})
	})
}

// TestTicketPageTimes checks the objectives and the stale-ticket box of a ticket
// page as time passes: the author sees who works on a ticket left without public
// news, never what was said; other client members do not see the box.
func TestTicketPageTimes(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *sqlstore.Store) {
		c := storetest.NewClock(time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)) // a Monday, within opening hours
		f := newFixture(t, st, app.Options{Clock: c.Now})
		tk := f.openTicket(t, "contact", app.NewTicket{SpaceID: f.spaces["ACME"], Title: "Slow reports",
			Nature: desk.Question, Criticality: desk.Minor})
		path := "/tickets/" + strconv.FormatInt(tk.ID, 10)
		body := f.as("contact", "GET", path, "").Body.String()
		if !strings.Contains(body, "Première réponse") || !strings.Contains(body, "attendu avant le") {
			t.Errorf("the client's page does not show the first-response objective due: %s", trim(body))
		}
		if strings.Contains(body, `data-due=`) {
			t.Error("the client's page counts down: countdowns are for agents")
		}
		if !strings.Contains(f.as("agent", "GET", path, "").Body.String(), `data-due=`) {
			t.Error("the agent's page has no countdown")
		}
		f.comment(t, "agent", tk.ID, "We look into it.", false)
		c.Add(time.Hour)
		f.comment(t, "engineer", tk.ID, "Root cause: the index is missing.", true)
		f.comment(t, "engineer", tk.ID, "Fix prepared.", true)
		body = f.as("contact", "GET", path, "").Body.String()
		if !strings.Contains(body, "Première réponse</strong> —\n<span class=\"ok\">tenu") {
			t.Errorf("after the agent's answer the first response is not shown met")
		}
		if strings.Contains(body, `id="stale"`) {
			t.Error("the stale box shows the day after an answer")
		}
		c.Add(50 * 24 * time.Hour) // P4: 45 days without public news
		body = f.as("contact", "GET", path, "").Body.String()
		if !strings.Contains(body, `id="stale"`) || !strings.Contains(body, "R&amp;D (niveau 3) : 2 échange(s) interne(s)") {
			t.Errorf("the author's stale box is missing or wrong: %s", trim(body))
		}
		if strings.Contains(body, "Root cause") || strings.Contains(body, "Fix prepared") {
			t.Error("the stale box shows what was said privately")
		}
		if strings.Contains(f.as("animator", "GET", path, "").Body.String(), `id="stale"`) {
			t.Error("another member of the space sees the author's stale box")
		}
	})
}

// TestTicketListPages follows the list's "next page" links in every order a
// visitor may pick: each ticket shows once, none is skipped.
func TestTicketListPages(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *sqlstore.Store) {
		f := newFixture(t, st, app.Options{})
		for i := range 60 {
			f.openTicket(t, "contact", app.NewTicket{SpaceID: f.spaces["ACME"], Title: fmt.Sprintf("Ticket %02d", i),
				Nature: desk.Natures[1+i%2], Criticality: desk.Criticalities[i%4]})
		}
		link := regexp.MustCompile(`href="/tickets/(\d+)"`)
		next := regexp.MustCompile(`id="next-page" href="([^"]+)"`)
		for _, c := range []struct{ role, query string }{
			{"agent", ""}, {"agent", "?sort=priority"}, {"agent", "?sort=criticality&order=desc"},
			{"agent", "?sort=updated&status=all"}, {"agent", "?sort=deadline&status=open"},
			{"contact", ""}, {"contact", "?sort=updated"}, {"contact", "?sort=created&order=asc"},
		} {
			seen := map[string]bool{}
			path := "/tickets" + c.query
			for pages := 0; path != "" && pages < 10; pages++ {
				w := f.as(c.role, "GET", path, "")
				wantStatus(t, w, http.StatusOK, c.role+" "+path)
				body := w.Body.String()
				onPage := map[string]bool{} // a row links its ticket twice: reference and title
				for _, m := range link.FindAllStringSubmatch(body, -1) {
					onPage[m[1]] = true
				}
				for id := range onPage {
					if seen[id] {
						t.Errorf("%s /tickets%s: ticket %s shows on two pages", c.role, c.query, id)
					}
					seen[id] = true
				}
				path = ""
				if m := next.FindStringSubmatch(body); m != nil {
					path = "/tickets" + html.UnescapeString(m[1])
				}
			}
			if len(seen) != 60 {
				t.Errorf("%s /tickets%s: %d distinct tickets over the pages, want 60", c.role, c.query, len(seen))
			}
		}
	})
}

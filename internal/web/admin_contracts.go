package web

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"guichet/internal/app"
	"guichet/internal/desk"
)

// contractForm is a contract as its form holds it, typed text kept as it came.
type contractForm struct {
	Client, Reference, Tier, Calendar, AccountManager string
	// Objectives holds the typed targets by criticality, then by objective, in
	// the orders of desk.Criticalities and desk.ObjectiveKinds.
	Objectives [4][3]string
	Channels   []string
	Spaces     []string
	// Timers holds awaiting-client, to-close, to-close-with-R&D days and the
	// warning percentage; Stale the stale-ticket days of P1 to P4.
	Timers [4]string
	Stale  [4]string
}

// timerNames are the fields of Timers, as the use case names them.
var timerNames = [4]string{"awaiting_client_days", "to_close_days", "to_close_rd_days", "warning_percent"}

// contractFormOf fills the form from a contract.
func contractFormOf(c *desk.Contract) contractForm {
	f := contractForm{Client: idText(c.ClientID), Reference: c.Reference, Tier: string(c.Tier), Calendar: idText(c.CalendarID),
		AccountManager: idText(c.AccountManagerID)}
	for i, cr := range desk.Criticalities {
		t, ok := c.Objectives[cr]
		for j, k := range desk.ObjectiveKinds {
			if ok {
				f.Objectives[i][j] = formatTarget(t.Of(k))
			}
		}
	}
	for _, ch := range c.Channels {
		f.Channels = append(f.Channels, string(ch))
	}
	for _, s := range c.SpaceIDs {
		f.Spaces = append(f.Spaces, idText(s))
	}
	tm := c.Timers
	for i, v := range []int{tm.AwaitingClientDays, tm.ToCloseDays, tm.ToCloseRDDays, tm.WarningPercent} {
		f.Timers[i] = strconv.Itoa(v)
	}
	for i, v := range tm.StaleDays {
		f.Stale[i] = strconv.Itoa(v)
	}
	return f
}

// idText writes an id for a form; 0 (none) is empty.
func idText(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

// readContractForm reads the posted form.
func readContractForm(r *http.Request) contractForm {
	f := contractForm{Client: r.PostFormValue("client"), Reference: r.PostFormValue("reference"),
		Tier: r.PostFormValue("tier"), Calendar: r.PostFormValue("calendar"),
		AccountManager: r.PostFormValue("account_manager"), Channels: r.PostForm["channels"], Spaces: r.PostForm["spaces"]}
	for i, cr := range desk.Criticalities {
		for j, k := range desk.ObjectiveKinds {
			f.Objectives[i][j] = r.PostFormValue(objectiveField(cr, k))
		}
	}
	for i, n := range timerNames {
		f.Timers[i] = r.PostFormValue("timers." + n)
	}
	for i := range f.Stale {
		f.Stale[i] = r.PostFormValue(fmt.Sprintf("timers.stale_days.%d", i+1))
	}
	return f
}

func objectiveField(cr desk.Criticality, k desk.ObjectiveKind) string {
	return "objectives." + string(cr) + "." + string(k)
}

// contract turns the form into a contract, or says which field is wrong. A table
// of objectives left wholly empty takes the tier's defaults.
func (f contractForm) contract() (desk.Contract, error) {
	c := desk.Contract{Reference: f.Reference, Tier: desk.Tier(f.Tier), Channels: []desk.Channel{}}
	var err error
	if c.ClientID, err = formID(f.Client, "client_id"); err != nil {
		return c, err
	}
	if c.CalendarID, err = formID(f.Calendar, "calendar_id"); err != nil {
		return c, err
	}
	if c.AccountManagerID, err = formID(f.AccountManager, "account_manager_id"); err != nil {
		return c, err
	}
	for _, s := range f.Spaces {
		n, err := formID(s, "space_ids")
		if err != nil {
			return c, err
		}
		c.SpaceIDs = append(c.SpaceIDs, n)
	}
	for _, ch := range f.Channels {
		c.Channels = append(c.Channels, desk.Channel(ch))
	}
	if c.Objectives, err = f.objectives(); err != nil {
		return c, err
	}
	c.Timers, err = f.timers()
	return c, err
}

// formID reads an id typed or chosen in a form; empty is 0.
func formID(s, field string) (int64, error) {
	if s = strings.TrimSpace(s); s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, desk.FieldError(field, "is not one of the choices")
	}
	return n, nil
}

func (f contractForm) objectives() (map[desk.Criticality]desk.Targets, error) {
	out := map[desk.Criticality]desk.Targets{}
	typed := false
	for i, cr := range desk.Criticalities {
		var d [3]time.Duration
		for j, k := range desk.ObjectiveKinds {
			v, err := parseTarget(f.Objectives[i][j])
			if err != nil {
				return nil, desk.FieldError(objectiveField(cr, k), "%s", err.Error())
			}
			d[j] = v
			typed = typed || strings.TrimSpace(f.Objectives[i][j]) != ""
		}
		out[cr] = desk.Targets{FirstResponse: d[0], Update: d[1], Resolution: d[2]}
	}
	if !typed {
		return nil, nil
	}
	return out, nil
}

// timers reads the timers; all of them left empty take the defaults.
func (f contractForm) timers() (desk.TimerSettings, error) {
	if strings.TrimSpace(strings.Join(f.Timers[:], "")+strings.Join(f.Stale[:], "")) == "" {
		return desk.TimerSettings{}, nil
	}
	var v [4]int
	for i, s := range f.Timers {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return desk.TimerSettings{}, desk.FieldError("timers."+timerNames[i], "must be a whole number")
		}
		v[i] = n
	}
	t := desk.TimerSettings{AwaitingClientDays: v[0], ToCloseDays: v[1], ToCloseRDDays: v[2], WarningPercent: v[3]}
	for i, s := range f.Stale {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return t, desk.FieldError("timers.stale_days", "P%d: must be a whole number", i+1)
		}
		t.StaleDays[i] = n
	}
	return t, nil
}

// targetPattern reads a business duration: "4" or "4h" or "1.5h" (hours),
// "30min" or "30m" (minutes), "1h30" (both).
var targetPattern = regexp.MustCompile(`^(?:(\d+(?:\.\d+)?)\s*h?|(\d+)\s*(?:min|mn|m)|(\d+)\s*h\s*(\d+)\s*(?:min|mn|m)?)$`)

// parseTarget reads a target typed in business hours or minutes; empty is none.
func parseTarget(s string) (time.Duration, error) {
	s = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), ",", ".")
	if s == "" {
		return 0, nil
	}
	m := targetPattern.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("%q is not a duration such as 4h, 30min or 1h30", s)
	}
	var d time.Duration
	switch {
	case m[1] != "":
		h, _ := strconv.ParseFloat(m[1], 64)
		d = time.Duration(h * float64(time.Hour)).Round(time.Minute)
	case m[2] != "":
		n, _ := strconv.Atoi(m[2])
		d = time.Duration(n) * time.Minute
	default:
		h, _ := strconv.Atoi(m[3])
		n, _ := strconv.Atoi(m[4])
		d = time.Duration(h)*time.Hour + time.Duration(n)*time.Minute
	}
	if d > desk.MaxTarget {
		d = desk.MaxTarget + time.Minute // the use case says why
	}
	return d, nil
}

// formatTarget writes a target the way parseTarget reads it; none is empty.
func formatTarget(d time.Duration) string {
	switch {
	case d <= 0:
		return ""
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d < time.Hour:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "min"
	}
	return fmt.Sprintf("%dh%02d", int64(d/time.Hour), int64(d%time.Hour/time.Minute))
}

// contractFields maps the use case's fields to the form's.
var contractFields = func() map[string]string {
	m := map[string]string{"reference": "reference", "client_id": "client", "tier": "tier", "calendar_id": "calendar",
		"account_manager_id": "account_manager", "space_ids": "spaces", "channels": "channels", "objectives": "objectives",
		"timers.stale_days": "timers.stale_days"}
	for _, n := range timerNames {
		m["timers."+n] = "timers." + n
	}
	for _, cr := range desk.Criticalities {
		for _, k := range desk.ObjectiveKinds {
			m[objectiveField(cr, k)] = objectiveField(cr, k)
		}
	}
	return m
}()

// objectiveCell is one target of the objectives table.
type objectiveCell struct {
	Field, Kind, Value, Error string
}

// objectiveRow is one criticality of the objectives table.
type objectiveRow struct {
	Criticality string
	Cells       []objectiveCell
}

// objectiveRows lays out the form's objectives as a table, with their errors.
func (f contractForm) objectiveRows(errs map[string]string) []objectiveRow {
	rows := make([]objectiveRow, len(desk.Criticalities))
	for i, cr := range desk.Criticalities {
		rows[i].Criticality = string(cr)
		for j, k := range desk.ObjectiveKinds {
			name := objectiveField(cr, k)
			rows[i].Cells = append(rows[i].Cells, objectiveCell{Field: name, Kind: string(k), Value: f.Objectives[i][j],
				Error: errs[name]})
		}
	}
	return rows
}

// Has tells whether v is among the form's choices of a list (channels, spaces).
func (f contractForm) Has(list string, v any) bool {
	s := fmt.Sprint(v)
	if list == "channels" {
		return slices.Contains(f.Channels, s)
	}
	return slices.Contains(f.Spaces, s)
}

// staleRow is one priority's stale-ticket days in the form.
type staleRow struct{ Label, Field, Value string }

// StaleRows lays out the stale-ticket days, P1 first.
func (f contractForm) StaleRows() []staleRow {
	rows := make([]staleRow, len(f.Stale))
	for i, v := range f.Stale {
		rows[i] = staleRow{Label: fmt.Sprintf("P%d", i+1), Field: fmt.Sprintf("timers.stale_days.%d", i+1), Value: v}
	}
	return rows
}

// AdminContracts lists the contracts.
func (p *Pages) AdminContracts(w http.ResponseWriter, r *http.Request) {
	s, ok := p.staffOnly(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	contracts, err := p.svc.Contracts(ctx, s.A, desk.Page{After: afterParam(r), Limit: desk.DefaultPageSize})
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	names, err := p.partyNames(r, s)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	type row struct {
		desk.Contract
		Client, Calendar, AccountManager string
	}
	rows := make([]row, len(contracts))
	for i, c := range contracts {
		rows[i] = row{Contract: c, Client: names.orgs[c.ClientID], Calendar: names.calendars[c.CalendarID],
			AccountManager: names.users[c.AccountManagerID]}
	}
	data := map[string]any{"Contracts": rows, "Admin": isAdmin(s.A), "Done": r.URL.Query().Get("done")}
	if len(contracts) == desk.DefaultPageSize {
		data["Next"] = contracts[len(contracts)-1].ID
	}
	p.show(w, r, s, http.StatusOK, "admin_contracts.html", data)
}

// afterParam reads the ?after= cursor of a list page.
func afterParam(r *http.Request) int64 {
	n, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	return max(n, 0)
}

// partyNames are the names a contracts page shows instead of ids.
type partyNames struct {
	orgs, calendars, users map[int64]string
}

// partyNames reads the names of the organisations, calendars and provider
// staff, the choices of a contract's form.
func (p *Pages) partyNames(r *http.Request, s *session) (*partyNames, error) {
	n := &partyNames{orgs: map[int64]string{}, calendars: map[int64]string{}, users: map[int64]string{}}
	orgs, err := p.allOrganisations(r, s)
	if err != nil {
		return nil, err
	}
	for _, o := range orgs {
		n.orgs[o.ID] = o.Name
	}
	cals, err := p.svc.Calendars(r.Context(), s.A, desk.Page{Limit: desk.MaxPageSize})
	if err != nil {
		return nil, err
	}
	for _, c := range cals {
		n.calendars[c.ID] = c.Name
		if c.IsDefault {
			n.calendars[0] = c.Name
		}
	}
	staff, err := p.providerStaff(r, s)
	if err != nil {
		return nil, err
	}
	for _, u := range staff {
		n.users[u.ID] = u.Name
	}
	return n, nil
}

// allOrganisations reads every organisation the visitor sees.
func (p *Pages) allOrganisations(r *http.Request, s *session) ([]desk.Organisation, error) {
	return everyPage(func(pg desk.Page) ([]desk.Organisation, error) { return p.svc.Organisations(r.Context(), s.A, pg) },
		func(o desk.Organisation) int64 { return o.ID })
}

// providerStaff lists the provider's own users: the account managers to choose
// from. Staff visitors belong to the provider.
func (p *Pages) providerStaff(r *http.Request, s *session) ([]desk.User, error) {
	return p.usersOf(r, s, s.A.OrgID)
}

// usersOf lists the users of organisation org.
func (p *Pages) usersOf(r *http.Request, s *session, org int64) ([]desk.User, error) {
	return everyPage(func(pg desk.Page) ([]desk.User, error) { return p.svc.UsersOf(r.Context(), s.A, org, pg) },
		func(u desk.User) int64 { return u.ID })
}

// NewContract shows the form of a new contract: first the client to choose,
// then, for that client, the form with its spaces.
func (p *Pages) NewContract(w http.ResponseWriter, r *http.Request) {
	s, ok := p.staffOnly(w, r)
	if !ok {
		return
	}
	c := desk.Contract{Tier: desk.OnDemand, Channels: desk.DefaultChannels, Timers: desk.DefaultTimers()}
	f := contractFormOf(&c)
	f.Client = r.URL.Query().Get("client")
	// A new contract covers the client's spaces unless told otherwise.
	if client, err := formID(f.Client, "client_id"); err == nil && client != 0 {
		spaces, err := p.svc.SpacesOf(r.Context(), s.A, client)
		if err != nil && desk.ErrorCode(err) != desk.NotFound {
			p.fail(w, r, s, err)
			return
		}
		for _, sp := range spaces {
			f.Spaces = append(f.Spaces, idText(sp.ID))
		}
	}
	p.contractPage(w, r, s, http.StatusOK, nil, f, nil)
}

// AdminContract shows a contract, as a form for administrators.
func (p *Pages) AdminContract(w http.ResponseWriter, r *http.Request) {
	s, ok := p.staffOnly(w, r)
	if !ok {
		return
	}
	c, err := p.contractOf(r, s)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	p.contractPage(w, r, s, http.StatusOK, c, contractFormOf(c), nil)
}

func (p *Pages) contractOf(r *http.Request, s *session) (*desk.Contract, error) {
	id, err := pathID(r, "contract_id", "contract")
	if err != nil {
		return nil, err
	}
	return p.svc.Contract(r.Context(), s.A, id)
}

// contractPage shows the contract form (a new one when c is nil) with the
// choices it offers: clients, calendars, provider staff, the client's spaces.
func (p *Pages) contractPage(w http.ResponseWriter, r *http.Request, s *session, status int, c *desk.Contract, f contractForm, errs map[string]string) {
	orgs, err := p.allOrganisations(r, s)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	clients := slices.DeleteFunc(orgs, func(o desk.Organisation) bool { return o.Kind != desk.Client })
	data := map[string]any{"Contract": c, "Form": f, "Errors": errs, "Admin": isAdmin(s.A), "Clients": clients,
		"Tiers": desk.Tiers, "Channels": desk.Channels, "Objectives": f.objectiveRows(errs),
		"Kinds": desk.ObjectiveKinds, "Done": r.URL.Query().Get("done")}
	clientID, _ := formID(f.Client, "client_id")
	i := slices.IndexFunc(clients, func(o desk.Organisation) bool { return o.ID == clientID })
	if i < 0 { // no client chosen yet: the page asks for one
		p.show(w, r, s, status, "admin_contract.html", data)
		return
	}
	data["Client"] = clients[i]
	if data["Spaces"], err = p.svc.SpacesOf(r.Context(), s.A, clientID); err != nil {
		p.fail(w, r, s, err)
		return
	}
	if data["Calendars"], err = p.svc.Calendars(r.Context(), s.A, desk.Page{Limit: desk.MaxPageSize}); err != nil {
		p.fail(w, r, s, err)
		return
	}
	if data["Staff"], err = p.providerStaff(r, s); err != nil {
		p.fail(w, r, s, err)
		return
	}
	p.show(w, r, s, status, "admin_contract.html", data)
}

// CreateContract saves a new contract from its form.
func (p *Pages) CreateContract(w http.ResponseWriter, r *http.Request) {
	s, ok := p.adminOnly(w, r, (*desk.Actor).CanManageContracts)
	if !ok {
		return
	}
	f := readContractForm(r)
	in, err := f.contract()
	var c *desk.Contract
	if err == nil {
		c, err = p.svc.CreateContract(r.Context(), s.A, in)
	}
	if sentTwice(w, r, err, p.contractWithReference(r, s, f.Reference)) {
		return
	}
	if err != nil {
		p.contractError(w, r, s, nil, f, err)
		return
	}
	afterSave(w, r, "/admin/contracts/"+strconv.FormatInt(c.ID, 10), "created")
}

// UpdateContract saves a contract's form as its new version; the client stays.
func (p *Pages) UpdateContract(w http.ResponseWriter, r *http.Request) {
	s, ok := p.adminOnly(w, r, (*desk.Actor).CanManageContracts)
	if !ok {
		return
	}
	c, err := p.contractOf(r, s)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	f := readContractForm(r)
	f.Client = idText(c.ClientID)
	in, err := f.contract()
	if err == nil {
		_, err = p.svc.UpdateContract(r.Context(), s.A, c.ID, app.ContractPatch{Reference: &in.Reference,
			Tier: &in.Tier, CalendarID: &in.CalendarID, Objectives: &in.Objectives, Channels: &in.Channels,
			Timers: &in.Timers, AccountManagerID: &in.AccountManagerID, SpaceIDs: &in.SpaceIDs})
	}
	if err != nil {
		p.contractError(w, r, s, c, f, err)
		return
	}
	afterSave(w, r, "/admin/contracts/"+strconv.FormatInt(c.ID, 10), "saved")
}

func (p *Pages) contractError(w http.ResponseWriter, r *http.Request, s *session, c *desk.Contract, f contractForm, err error) {
	errs, status, ok := formErrors(s.L, err, contractFields, "reference")
	if !ok {
		p.fail(w, r, s, err)
		return
	}
	p.contractPage(w, r, s, status, c, f, errs)
}

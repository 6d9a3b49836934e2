package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"guichet/internal/app"
	"guichet/internal/bizcal"
	"guichet/internal/desk"
)

// calendarForm is a business calendar as its form holds it, typed text kept as
// it came so that a refused form shows it again unchanged.
type calendarForm struct {
	Name, TimeZone, Holidays string
	// Hours holds each weekday's ranges ("09:00-12:00, 13:30-18:00"), indexed by
	// time.Weekday.
	Hours [7]string
	// Closed holds one span a line ("2026-12-24/2026-12-31" or one day); Open
	// one day a line.
	Closed, Open string
}

// dayRow is one weekday of the hours table, Monday first.
type dayRow struct {
	Day   string // the JSON name: "monday"
	Value string
}

// Days lists the form's hours Monday first, as people read a week.
func (f calendarForm) Days() []dayRow {
	out := make([]dayRow, 0, 7)
	for i := range 7 {
		d := (i + 1) % 7
		out = append(out, dayRow{Day: desk.WeekdayNames[d], Value: f.Hours[d]})
	}
	return out
}

// calendarFormOf fills the form from a stored calendar.
func calendarFormOf(c *desk.CalendarDef) calendarForm {
	f := calendarForm{Name: c.Name, TimeZone: c.TimeZone, Holidays: c.Holidays}
	for d, rs := range c.Hours {
		parts := make([]string, len(rs))
		for i, r := range rs {
			parts[i] = r.String()
		}
		f.Hours[d] = strings.Join(parts, ", ")
	}
	lines := make([]string, 0, len(c.Closed))
	for _, s := range c.Closed {
		if s.From == s.To {
			lines = append(lines, s.From.String())
		} else {
			lines = append(lines, s.From.String()+"/"+s.To.String())
		}
	}
	f.Closed = strings.Join(lines, "\n")
	f.Open = strings.Join(desk.DateStrings(c.Open), "\n")
	return f
}

// readCalendarForm reads the posted form.
func readCalendarForm(r *http.Request) calendarForm {
	f := calendarForm{Name: r.PostFormValue("name"), TimeZone: strings.TrimSpace(r.PostFormValue("time_zone")),
		Holidays: r.PostFormValue("holidays"), Closed: r.PostFormValue("closed"), Open: r.PostFormValue("open")}
	for d, name := range desk.WeekdayNames {
		f.Hours[d] = r.PostFormValue("hours." + name)
	}
	return f
}

// def turns the form into a calendar definition, or says which field is wrong.
func (f calendarForm) def() (desk.CalendarDef, error) {
	c := desk.CalendarDef{Name: f.Name, TimeZone: f.TimeZone, Holidays: f.Holidays}
	for d, typed := range f.Hours {
		for _, s := range splitList(typed) {
			rg, err := bizcal.ParseRange(s)
			if err != nil {
				return c, desk.FieldError("hours."+desk.WeekdayNames[d], "%q is not a range such as 09:00-18:00", s)
			}
			c.Hours[d] = append(c.Hours[d], rg)
		}
	}
	for i, line := range lines(f.Closed) {
		from, to, _ := strings.Cut(strings.ReplaceAll(line, "..", "/"), "/")
		a, errA := bizcal.ParseDate(from)
		b, errB := a, error(nil)
		if strings.TrimSpace(to) != "" {
			b, errB = bizcal.ParseDate(to)
		}
		if errA != nil || errB != nil {
			return c, desk.FieldError("closed", "line %d: %q is not a day or a span such as 2026-12-24/2026-12-31", i+1, line)
		}
		c.Closed = append(c.Closed, bizcal.DateRange{From: a, To: b})
	}
	for i, line := range lines(f.Open) {
		d, err := bizcal.ParseDate(line)
		if err != nil {
			return c, desk.FieldError("open", "line %d: %q is not a day such as 2026-05-08", i+1, line)
		}
		c.Open = append(c.Open, d)
	}
	return c, nil
}

// splitList splits typed ranges at commas, semicolons and spaces.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\t' })
}

// lines returns the non-empty lines of s, trimmed.
func lines(s string) []string {
	var out []string
	for l := range strings.Lines(s) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// calendarFields maps the use case's fields to the form's.
var calendarFields = map[string]string{"name": "name", "time_zone": "time_zone", "holidays": "holidays",
	"hours": "hours", "closed": "closed", "open": "open", "calendar": "form",
	"hours.sunday": "hours.sunday", "hours.monday": "hours.monday", "hours.tuesday": "hours.tuesday",
	"hours.wednesday": "hours.wednesday", "hours.thursday": "hours.thursday", "hours.friday": "hours.friday",
	"hours.saturday": "hours.saturday"}

// AdminCalendars lists the business calendars.
func (p *Pages) AdminCalendars(w http.ResponseWriter, r *http.Request) {
	s, ok := p.staffOnly(w, r)
	if !ok {
		return
	}
	cals, err := p.svc.Calendars(r.Context(), s.A, desk.Page{Limit: desk.MaxPageSize})
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	type row struct {
		desk.CalendarDef
		Week string
	}
	rows := make([]row, len(cals))
	for i, c := range cals {
		rows[i] = row{c, hoursOf(s.L, c.Hours)}
	}
	p.show(w, r, s, http.StatusOK, "admin_calendars.html", map[string]any{"Calendars": rows, "Admin": isAdmin(s.A),
		"Done": r.URL.Query().Get("done")})
}

// NewCalendar shows the form of a new calendar, filled with the usual week.
func (p *Pages) NewCalendar(w http.ResponseWriter, r *http.Request) {
	s, ok := p.staffOnly(w, r)
	if !ok {
		return
	}
	f := calendarFormOf(&desk.CalendarDef{TimeZone: bizcal.DefaultTimeZone, Holidays: bizcal.DefaultHolidays,
		Hours: bizcal.Weekdays(bizcal.Range{Start: bizcal.HM(9, 0), End: bizcal.HM(18, 0)})})
	p.calendarPage(w, r, s, http.StatusOK, nil, f, nil)
}

// AdminCalendar shows a calendar, as a form for administrators.
func (p *Pages) AdminCalendar(w http.ResponseWriter, r *http.Request) {
	s, ok := p.staffOnly(w, r)
	if !ok {
		return
	}
	c, err := p.calendarOf(r, s)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	p.calendarPage(w, r, s, http.StatusOK, c, calendarFormOf(c), nil)
}

func (p *Pages) calendarOf(r *http.Request, s *session) (*desk.CalendarDef, error) {
	id, err := pathID(r, "calendar_id", "calendar")
	if err != nil {
		return nil, err
	}
	return p.svc.Calendar(r.Context(), s.A, id)
}

// calendarPage shows the calendar form: a new one when c is nil.
func (p *Pages) calendarPage(w http.ResponseWriter, r *http.Request, s *session, status int, c *desk.CalendarDef, f calendarForm, errs map[string]string) {
	p.show(w, r, s, status, "admin_calendar.html", map[string]any{"Calendar": c, "Form": f, "Errors": errs,
		"Admin": isAdmin(s.A), "Zones": commonZones, "HolidaySets": bizcal.HolidaySets(),
		"Done": r.URL.Query().Get("done")})
}

// commonZones are offered as suggestions; any IANA zone is accepted.
var commonZones = []string{"Europe/Paris", "Europe/Brussels", "Europe/Zurich", "Europe/London", "Europe/Berlin",
	"America/Montreal", "America/New_York", "Africa/Casablanca", "Indian/Reunion", "UTC"}

// CreateCalendar saves a new calendar from its form.
func (p *Pages) CreateCalendar(w http.ResponseWriter, r *http.Request) {
	s, ok := p.adminOnly(w, r, (*desk.Actor).CanManageContracts)
	if !ok {
		return
	}
	f := readCalendarForm(r)
	def, err := f.def()
	var c *desk.CalendarDef
	if err == nil {
		c, err = p.svc.CreateCalendar(r.Context(), s.A, def)
	}
	if sentTwice(w, r, err, p.calendarNamed(r, s, f.Name)) {
		return
	}
	if err != nil {
		p.calendarError(w, r, s, nil, f, err)
		return
	}
	afterSave(w, r, "/admin/calendars/"+strconv.FormatInt(c.ID, 10), "created")
}

// UpdateCalendar saves a calendar's form. Every contract using it gets a new
// version, and its open tickets' deadlines are recomputed.
func (p *Pages) UpdateCalendar(w http.ResponseWriter, r *http.Request) {
	s, ok := p.adminOnly(w, r, (*desk.Actor).CanManageContracts)
	if !ok {
		return
	}
	c, err := p.calendarOf(r, s)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	f := readCalendarForm(r)
	def, err := f.def()
	if err == nil {
		_, err = p.svc.UpdateCalendar(r.Context(), s.A, c.ID, app.CalendarPatch{Name: &def.Name, TimeZone: &def.TimeZone,
			Hours: &def.Hours, Holidays: &def.Holidays, Closed: &def.Closed, Open: &def.Open})
	}
	if err != nil {
		p.calendarError(w, r, s, c, f, err)
		return
	}
	afterSave(w, r, "/admin/calendars/"+strconv.FormatInt(c.ID, 10), "saved")
}

func (p *Pages) calendarError(w http.ResponseWriter, r *http.Request, s *session, c *desk.CalendarDef, f calendarForm, err error) {
	errs, status, ok := formErrors(s.L, err, calendarFields, "name")
	if !ok {
		p.fail(w, r, s, err)
		return
	}
	p.calendarPage(w, r, s, status, c, f, errs)
}

// hoursOf shows a calendar's week briefly: "Mon–Fri 09:00-18:00".
func hoursOf(l string, w bizcal.Week) string {
	var parts []string
	for i := range 7 {
		d := time.Weekday((i + 1) % 7)
		if len(w[d]) == 0 {
			continue
		}
		rs := make([]string, len(w[d]))
		for j, rg := range w[d] {
			rs[j] = rg.String()
		}
		parts = append(parts, text(l, "day.short."+desk.WeekdayNames[d])+" "+strings.Join(rs, ", "))
	}
	return strings.Join(parts, " · ")
}

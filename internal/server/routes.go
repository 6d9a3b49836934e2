package server

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"guichet/internal/api"
	"guichet/internal/desk"
)

// Route is one entry of Guichet's URL surface.
type Route struct {
	Method  string
	Path    string
	Handler http.Handler
}

// Routes is the whole URL surface, in one place. Who may do what is decided by the
// use cases behind each handler, not here.
func (s *Server) Routes() []Route {
	a, p := s.api, s.web
	h := func(method, path string, fn http.HandlerFunc) Route { return Route{method, path, fn} }
	return []Route{
		// Operations.
		h("GET", "/healthz", s.healthz),
		h("GET", "/readyz", s.readyz),
		{"GET", "/metrics", promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{})},

		// Pages.
		h("GET", "/{$}", p.Home),
		h("GET", "/login", p.LoginForm),
		h("POST", "/login", p.Login),
		h("POST", "/logout", p.Logout),
		{"GET", "/static/", p.Static()},
		h("GET", "/tickets", p.Tickets),
		h("GET", "/tickets/{ticket_id}", p.Ticket),
		h("GET", "/tickets/{ticket_id}/live", p.Live),
		h("GET", "/tickets/{ticket_id}/mentions", p.Mentions),
		h("POST", "/tickets/{ticket_id}/comments", p.Comment),
		h("POST", "/tickets/{ticket_id}/transitions", p.Transition),
		h("POST", "/tickets/{ticket_id}/assignment", p.Assign),
		h("POST", "/tickets/{ticket_id}/priority", p.Priority),
		h("GET", "/attachments/{attachment_id}", p.Attachment),
		h("GET", "/spaces/{space_id}", p.Space),
		h("GET", "/spaces/{space_id}/tickets/new", p.NewTicket),
		h("POST", "/spaces/{space_id}/projects", p.CreateProject),
		h("POST", "/spaces/{space_id}/tickets", p.CreateTicket),
		h("GET", "/spaces/{space_id}/similar", p.Similar),
		h("GET", "/spaces/{space_id}/members", p.Members),
		h("POST", "/spaces/{space_id}/members", p.AddMember),
		h("POST", "/spaces/{space_id}/members/{user_id}/remove", p.RemoveMember),
		h("POST", "/views", p.CreateView),
		h("GET", "/views/{view_id}", p.OpenView),
		h("POST", "/views/{view_id}", p.UpdateView),
		h("POST", "/views/{view_id}/delete", p.DeleteView),
		h("POST", "/preview", p.Preview),
		h("GET", "/account", p.Account),
		h("POST", "/account/language", p.Language),
		h("POST", "/account/password", p.Password),
		h("POST", "/account/tokens", p.CreateToken),
		h("POST", "/account/tokens/{token_id}/revoke", p.RevokeToken),
		h("GET", "/notifications", p.Notifications),
		h("POST", "/notifications/read", p.ReadNotifications),
		// Administration: provider staff read, provider administrators write.
		h("GET", "/admin", p.AdminHome),
		h("GET", "/admin/calendars", p.AdminCalendars),
		h("GET", "/admin/calendars/new", p.NewCalendar),
		h("POST", "/admin/calendars", p.CreateCalendar),
		h("GET", "/admin/calendars/{calendar_id}", p.AdminCalendar),
		h("POST", "/admin/calendars/{calendar_id}", p.UpdateCalendar),
		h("GET", "/admin/contracts", p.AdminContracts),
		h("GET", "/admin/contracts/new", p.NewContract),
		h("POST", "/admin/contracts", p.CreateContract),
		h("GET", "/admin/contracts/{contract_id}", p.AdminContract),
		h("POST", "/admin/contracts/{contract_id}", p.UpdateContract),
		h("GET", "/admin/organisations", p.AdminOrganisations),
		h("POST", "/admin/organisations", p.CreateOrganisation),
		h("GET", "/admin/organisations/{org_id}", p.AdminOrganisation),
		h("POST", "/admin/organisations/{org_id}", p.UpdateOrganisation),
		h("GET", "/admin/users", p.AdminUsers),
		h("GET", "/admin/users/new", p.NewUser),
		h("POST", "/admin/users", p.CreateUser),
		h("GET", "/admin/users/{user_id}", p.AdminUser),
		h("POST", "/admin/users/{user_id}", p.UpdateUser),
		h("GET", "/admin/spaces", p.AdminSpaces),
		h("POST", "/admin/spaces", p.CreateSpace),
		h("GET", "/admin/spaces/{space_id}", p.AdminSpace),
		h("POST", "/admin/spaces/{space_id}", p.UpdateSpace),
		h("POST", "/admin/spaces/{space_id}/projects", p.AddProject),
		h("POST", "/admin/projects/{project_id}", p.RenameProject),

		// JSON API.
		h("GET", "/api/v1/openapi.json", api.OpenAPIHandler),
		h("GET", "/api/v1/me", a.Me),
		h("PUT", "/api/v1/me/password", a.ChangePassword),
		h("GET", "/api/v1/me/notifications", a.ListNotifications),
		h("POST", "/api/v1/me/notifications/read", a.MarkNotificationsRead),
		h("GET", "/api/v1/organisations", a.ListOrganisations),
		h("POST", "/api/v1/organisations", a.CreateOrganisation),
		h("GET", "/api/v1/organisations/{org_id}", a.GetOrganisation),
		h("PATCH", "/api/v1/organisations/{org_id}", a.UpdateOrganisation),
		h("GET", "/api/v1/users", a.ListUsers),
		h("POST", "/api/v1/users", a.CreateUser),
		h("GET", "/api/v1/users/{user_id}", a.GetUser),
		h("PATCH", "/api/v1/users/{user_id}", a.UpdateUser),
		h("GET", "/api/v1/spaces", a.ListSpaces),
		h("POST", "/api/v1/spaces", a.CreateSpace),
		h("GET", "/api/v1/spaces/{space_id}", a.GetSpace),
		h("PATCH", "/api/v1/spaces/{space_id}", a.UpdateSpace),
		h("GET", "/api/v1/spaces/{space_id}/projects", a.ListProjects),
		h("POST", "/api/v1/spaces/{space_id}/projects", a.CreateProject),
		h("GET", "/api/v1/projects/{project_id}", a.GetProject),
		h("PATCH", "/api/v1/projects/{project_id}", a.UpdateProject),
		h("GET", "/api/v1/spaces/{space_id}/members", a.ListMembers),
		h("POST", "/api/v1/spaces/{space_id}/members", a.AddMember),
		h("DELETE", "/api/v1/spaces/{space_id}/members/{user_id}", a.RemoveMember),
		h("GET", "/api/v1/tickets", a.ListTickets),
		h("GET", "/api/v1/tickets/counts", a.CountTickets),
		h("GET", "/api/v1/spaces/{space_id}/tickets", a.ListSpaceTickets),
		h("POST", "/api/v1/spaces/{space_id}/tickets", a.CreateTicket),
		h("GET", "/api/v1/spaces/{space_id}/tickets/similar", a.SimilarTickets),
		h("GET", "/api/v1/tickets/{ticket_id}", a.GetTicket),
		h("GET", "/api/v1/refs/{ref}", a.GetTicketByRef),
		h("PATCH", "/api/v1/tickets/{ticket_id}", a.UpdateTicket),
		h("POST", "/api/v1/tickets/{ticket_id}/transitions", a.TransitionTicket),
		h("PUT", "/api/v1/tickets/{ticket_id}/assignment", a.AssignTicket),
		h("GET", "/api/v1/tickets/{ticket_id}/comments", a.ListComments),
		h("POST", "/api/v1/tickets/{ticket_id}/comments", a.CreateComment),
		h("POST", "/api/v1/comments/{comment_id}/likes", a.LikeComment),
		h("GET", "/api/v1/tickets/{ticket_id}/attachments", a.ListAttachments),
		h("POST", "/api/v1/tickets/{ticket_id}/attachments", a.CreateAttachments),
		h("GET", "/api/v1/attachments/{attachment_id}", a.DownloadAttachment),
		h("GET", "/api/v1/tickets/{ticket_id}/events", a.ListEvents),
		h("GET", "/api/v1/settings/resolutions", a.GetResolutions),
		h("PUT", "/api/v1/settings/resolutions", a.SetResolutions),
		// Business calendars and contracts: provider administrators write, staff read.
		h("GET", "/api/v1/calendars", a.ListCalendars),
		h("POST", "/api/v1/calendars", a.CreateCalendar),
		h("GET", "/api/v1/calendars/{calendar_id}", a.GetCalendar),
		h("PATCH", "/api/v1/calendars/{calendar_id}", a.UpdateCalendar),
		h("GET", "/api/v1/contracts", a.ListContracts),
		h("POST", "/api/v1/contracts", a.CreateContract),
		h("GET", "/api/v1/contracts/{contract_id}", a.GetContract),
		h("PATCH", "/api/v1/contracts/{contract_id}", a.UpdateContract),
		h("GET", "/api/v1/tokens", a.ListTokens),
		h("POST", "/api/v1/tokens", a.CreateToken),
		h("DELETE", "/api/v1/tokens/{token_id}", a.RevokeToken),
		h("GET", "/api/v1/views", a.ListViews),
		h("POST", "/api/v1/views", a.CreateView),
		h("GET", "/api/v1/views/{view_id}", a.GetView),
		h("PATCH", "/api/v1/views/{view_id}", a.UpdateView),
		h("DELETE", "/api/v1/views/{view_id}", a.DeleteView),
		{"", "/api/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			api.WriteError(w, r, desk.Errorf(desk.NotFound, "no such endpoint"))
		})},
	}
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.svc.Ping(ctx); err != nil {
		s.log.WarnContext(r.Context(), "database not reachable", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("database not reachable\n"))
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}

package web

import "github.com/gin-gonic/gin"

// routes is the one route table of kizdesk's web server.
func (s *server) routes(r *gin.Engine) {
	r.Use(s.logRequests, s.recovery, securityHeaders)
	r.NoRoute(s.notFound)

	r.GET("/healthz", s.healthz)
	r.GET("/static/*file", s.static)
	r.GET("/", s.home)

	// The HTML interface: cookie session, and a CSRF token on every
	// non-GET request, the login form included.
	ui := r.Group("", s.withSession, s.checkCSRF)
	ui.GET("/login", s.loginShow)
	ui.POST("/login", s.loginCheck)
	ui.POST("/logout", s.logout)

	agent := ui.Group("/agent", s.requireAgent)
	agent.GET("/queues", s.queueList)
	agent.GET("/queues/:id", s.queueShow)
	agent.GET("/tickets/new", s.ticketCreate)
	agent.POST("/tickets", s.ticketSave)
	agent.GET("/tickets/:number", s.ticketShow)
	agent.POST("/tickets/:number/notes", s.noteSave)
	agent.POST("/tickets/:number/close", s.ticketClose)

	// The JSON API: bearer tokens only; it never reads the session cookie,
	// so it needs no CSRF token.
	r.GET("/api/v1/openapi.yaml", s.apiOpenAPI)
	api := r.Group("/api/v1", s.requireToken)
	api.GET("/queues", s.apiQueueList)
	api.GET("/queues/:id/tickets", s.apiQueueTickets)
	api.POST("/tickets", s.apiTicketSave)
	api.GET("/tickets/:number", s.apiTicketShow)
	api.POST("/tickets/:number/notes", s.apiNoteSave)
	api.POST("/tickets/:number/close", s.apiTicketClose)
}

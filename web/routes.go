package web

import (
	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

// routes is the one route table of kizdesk's web server.
func (s *server) routes(r *gin.Engine) {
	r.Use(s.logRequests, s.recovery, securityHeaders, s.checkRequest)
	r.NoRoute(s.withSession, s.notFound)

	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
	r.GET("/static/*file", s.static)
	r.GET("/", s.home)

	// The HTML interface: cookie session, and a CSRF token on every
	// non-GET request, the login form included.
	ui := r.Group("", s.withSession, s.checkCSRF)
	ui.GET("/login", s.loginShow)
	ui.POST("/login", s.loginCheck)
	ui.POST("/logout", s.logout)
	ui.POST("/language", s.languageSave)

	agent := ui.Group("/agent", s.requireAgent)
	agent.GET("/queues", s.queueList)
	agent.GET("/queues/:id", s.queueShow)
	agent.GET("/reminders", s.reminderList)
	agent.POST("/bulk", s.bulkSave)
	agent.GET("/tickets/new", s.ticketCreate)
	agent.POST("/tickets", s.ticketSave)
	agent.GET("/tickets/:number", s.ticketShow)
	agent.GET("/tickets/:number/attachments/:mail/:seq", s.attachmentShow)
	agent.GET("/tickets/:number/articles/:seq/files/:n", s.fileShow)
	agent.POST("/tickets/:number/notes", s.noteSave)
	agent.POST("/tickets/:number/articles/:seq/split", s.ticketSplit)
	agent.POST("/tickets/:number/close", s.ticketClose)
	agent.POST("/tickets/:number/replies", s.replySave)
	agent.POST("/tickets/:number/pending", s.ticketPending)
	agent.POST("/tickets/:number/assign", s.ticketAssign)
	agent.POST("/tickets/:number/lock", s.ticketLock)
	agent.POST("/tickets/:number/watch", s.ticketWatch)
	agent.POST("/tickets/:number/move", s.ticketMove)
	agent.POST("/tickets/:number/escalate", s.ticketEscalate)
	agent.POST("/tickets/:number/hand-back", s.ticketHandBack)
	agent.POST("/tickets/:number/classify", s.ticketClassify)
	agent.POST("/tickets/:number/reopen", s.ticketReopen)
	agent.POST("/tickets/:number/merge", s.ticketMerge)
	agent.POST("/tickets/:number/links", s.linkSave)
	agent.POST("/tickets/:number/time", s.timeSave)
	agent.POST("/tickets/:number/draft", s.replyDraft)
	agent.GET("/tokens", s.tokenList)
	agent.POST("/tokens", s.tokenSave)
	agent.POST("/tokens/:id/revoke", s.tokenRevoke)
	agent.GET("/preferences", s.preferencesShow)
	agent.POST("/preferences/notifications", s.preferencesSave)
	agent.GET("/search", s.searchShow)
	agent.POST("/search/saved", s.searchSave)
	agent.POST("/search/saved/:id/delete", s.searchDelete)
	agent.GET("/dashboard", s.dashboardShow)
	agent.GET("/dashboard/:widget", s.dashboardList)
	agent.GET("/faq", s.faqList)
	agent.GET("/faq/new", s.faqNew)
	agent.POST("/faq", s.faqCreate)
	agent.GET("/faq/:id", s.faqShow)
	agent.GET("/faq/:id/edit", s.faqEdit)
	agent.POST("/faq/:id", s.faqUpdate)
	agent.POST("/faq/:id/actions", s.faqAct)
	agent.GET("/faq/:id/files/:seq", s.faqFile)

	// The public FAQ: no login; customers of the portal see their tier too.
	ui.GET("/faq", s.faqPublicList)
	ui.GET("/faq/:id", s.faqPublicShow)
	ui.GET("/faq/:id/files/:seq", s.faqFile)

	// The admin interface: any agent may ask, the desk answers only
	// admins (and for global objects the operator tenant's admins).
	admin := ui.Group("/admin", s.requireAgent)
	admin.GET("", s.adminIndex)
	admin.GET("/audit", s.adminAudit)
	admin.GET("/ldap-mappings", s.adminLDAPList)
	admin.POST("/ldap-mappings", s.adminLDAPSave)
	admin.POST("/ldap-mappings/remove", s.adminLDAPRemove)
	admin.GET("/outbox", s.adminOutbox)
	admin.GET("/outbox/:id", s.adminOutboxShow)
	admin.GET("/outbox/:id/raw", s.adminOutboxRaw)
	admin.GET("/retention", s.adminRetention)
	admin.POST("/retention/run", s.adminRetentionRun)
	admin.GET("/erasure", s.adminErasure)
	admin.GET("/erasure/:id", s.adminErasureShow)
	admin.POST("/erasure/:id", s.adminErasureSave)
	for _, k := range desk.AllAdminKinds() {
		admin.GET("/"+k.Name, s.adminList(k))
		admin.GET("/"+k.Name+"/new", s.adminNew(k))
		admin.GET("/"+k.Name+"/:id", s.adminEdit(k))
		admin.POST("/"+k.Name, s.adminSave(k))
		admin.POST("/"+k.Name+"/:id", s.adminSave(k))
	}
	admin.POST("/agents/:id/tokens", s.adminTokenSave)
	admin.POST("/agents/:id/tokens/:token/revoke", s.adminTokenRevoke)

	// Temporal's codec endpoint, for the Temporal UI on another origin and
	// the CLI: admins only, by session or token; no CSRF token (codec.go).
	codec := r.Group("/codec", s.codecCORS)
	codec.OPTIONS("/encode", s.codecPreflight)
	codec.OPTIONS("/decode", s.codecPreflight)
	codec.POST("/encode", s.withSession, s.requireCodecAdmin, s.codecServe)
	codec.POST("/decode", s.withSession, s.requireCodecAdmin, s.codecServe)

	// The JSON API: bearer tokens only; it never reads the session cookie,
	// so it needs no CSRF token.
	r.GET("/api/v1/openapi.yaml", s.apiOpenAPI)
	api := r.Group("/api/v1", s.requireToken)
	api.GET("/queues", s.apiQueueList)
	api.GET("/queues/:id/tickets", s.apiQueueTickets)
	api.GET("/reminders", s.apiReminderList)
	api.GET("/customers", s.apiCustomerList)
	api.POST("/tickets", s.apiTicketSave)
	api.GET("/tickets/:number", s.apiTicketShow)
	api.GET("/tickets/:number/articles/:seq/files/:n", s.fileShow)
	api.POST("/tickets/:number/notes", s.apiNoteSave)
	api.POST("/tickets/:number/close", s.apiTicketClose)
	api.POST("/tickets/:number/replies", s.apiReplySave)
	api.POST("/tickets/:number/pending", s.apiTicketPending)
	api.POST("/tickets/:number/assign", s.apiTicketAssign)
	api.POST("/tickets/:number/lock", s.apiTicketLock)
	api.POST("/tickets/:number/watch", s.apiTicketWatch)
	api.POST("/tickets/:number/move", s.apiTicketMove)
	api.POST("/tickets/:number/escalate", s.apiTicketEscalate)
	api.POST("/tickets/:number/hand-back", s.apiTicketHandBack)
	api.POST("/tickets/:number/classify", s.apiTicketClassify)
	api.POST("/tickets/:number/reopen", s.apiTicketReopen)
	api.POST("/tickets/:number/merge", s.apiTicketMerge)
	api.POST("/tickets/:number/links", s.apiLinkSave)
	api.POST("/tickets/:number/time", s.apiTimeSave)
	// A customer's message about a ticket, from a mail gateway or the
	// portal acting with an agent's token.
	api.POST("/tickets/:number/follow-ups", s.apiFollowUpSave)
	// A whole mail, as an MTA's pipe or a mail fetcher hands it over.
	api.POST("/mail", s.apiMailSave)
}

package main

// The FAQ rights page in the authorization matrix: admins of the tenant
// only, like the other admin pages (the desk refuses everyone else).
func init() {
	authzMatrix["GET /admin/faq-rights"] = adminPage
	authzMatrix["POST /admin/faq-rights"] = adminPage
}

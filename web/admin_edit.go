package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// adminFormPage is an object's form: empty (ID 0) or the object's, or as
// the admin sent it when it came back with problems. An agent's form
// also keeps its API tokens.
type adminFormPage struct {
	layout
	Kind    desk.AdminKind
	ID      int64
	Values  desk.AdminValues
	Choices desk.AdminChoices
	Fields  map[string]string
	Perms   []ticket.Perm
	Tokens  []models.APIToken
	Token   tokenForm
}

// Action is where the form posts: the kind for a new object, else the
// object.
func (p *adminFormPage) Action() string { return adminPath(p.Kind, p.ID) }

// TokenBase is where the agent's token forms post.
func (p *adminFormPage) TokenBase() string { return fmt.Sprintf("/admin/agents/%d/tokens", p.ID) }

func adminPath(k desk.AdminKind, id int64) string {
	if id == 0 {
		return "/admin/" + k.Name
	}
	return fmt.Sprintf("/admin/%s/%d", k.Name, id)
}

// adminFormPath is the page of the object's form.
func adminFormPath(k desk.AdminKind, id int64) string {
	if id == 0 {
		return "/admin/" + k.Name + "/new"
	}
	return adminPath(k, id)
}

// adminFormKey is what a refused form of the object is kept under.
func adminFormKey(k desk.AdminKind, id int64) string { return fmt.Sprintf("admin:%s:%d", k.Name, id) }

// adminKept is a refused admin form as kept: never a password.
type adminKept struct {
	Values desk.AdminValues
}

// adminNew is GET /admin/<kind>/new: the form with the kind's defaults
// (active, a week of follow-ups, …).
func (s *server) adminNew(k desk.AdminKind) gin.HandlerFunc {
	return func(c *gin.Context) { s.adminForm(c, k, 0) }
}

// adminEdit is GET /admin/<kind>/:id.
func (s *server) adminEdit(k desk.AdminKind) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := idParam(c, "id")
		if err != nil {
			s.fail(c, err)
			return
		}
		s.adminForm(c, k, id)
	}
}

func (s *server) adminForm(c *gin.Context, k desk.AdminKind, id int64) {
	ctx, p := c.Request.Context(), principalOf(c)
	values := desk.AdminValues{}
	for _, f := range k.Fields {
		if f.Default != "" {
			values[f.Name] = []string{f.Default}
		}
	}
	var err error
	if id != 0 {
		values, err = s.desk.AdminObject(ctx, p, k.Name, id)
		if err != nil {
			s.fail(c, fmt.Errorf("admin %s %d: %w", k.Name, id, err))
			return
		}
	}
	status, page := http.StatusOK, &adminFormPage{Kind: k, ID: id, Values: values}
	var kept adminKept
	pr, ok, err := s.handedBack(c, adminFormKey(k, id), &kept)
	if err != nil {
		s.fail(c, err)
		return
	}
	if ok {
		status, page.Error, page.Fields, page.Values = pr.Status, pr.Message, pr.FieldTexts, kept.Values
	}
	if k.Name == "agents" && id != 0 {
		pr, ok, err := s.handedBack(c, tokenFormKey(id), &page.Token)
		if err != nil {
			s.fail(c, err)
			return
		}
		if ok {
			status, page.Error, page.Token.Fields = pr.Status, pr.Message, pr.FieldTexts
		}
	}
	s.showAdminForm(c, status, page)
}

// showAdminForm fills in the choices (and an agent's tokens) and shows
// the form.
func (s *server) showAdminForm(c *gin.Context, status int, page *adminFormPage) {
	ctx, p := c.Request.Context(), principalOf(c)
	choices, err := s.desk.AdminChoices(ctx, p, page.Kind.Name)
	if err != nil {
		s.fail(c, fmt.Errorf("admin %s form: %w", page.Kind.Name, err))
		return
	}
	page.Choices, page.Perms = choices, ticket.Perms
	if page.Kind.Name == "agents" && page.ID != 0 {
		if page.Tokens, err = s.desk.AgentTokens(ctx, p, page.ID); err != nil {
			s.fail(c, fmt.Errorf("tokens of agent %d: %w", page.ID, err))
			return
		}
	}
	page.Title = s.texts(c).AdminKind(page.Kind.Name)
	s.render(c, status, "admin_form", page)
}

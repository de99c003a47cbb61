package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
)

// dashboardListPage is the full list of one of the dashboard's widgets.
type dashboardListPage struct {
	layout
	dashboardWidget
}

func (s *server) dashboardList(c *gin.Context) {
	name := c.Param("widget")
	if _, ok := widgetTexts[name]; !ok {
		s.notFound(c)
		return
	}
	l, err := s.desk.DashboardList(c.Request.Context(), principalOf(c), name)
	if err != nil {
		s.fail(c, fmt.Errorf("dashboard list %s: %w", name, err))
		return
	}
	p := &dashboardListPage{dashboardWidget: dashboardWidget{DashboardList: l, All: widgetPage(name)}}
	p.Title, _ = s.texts(c).DashWidget(name, "heading")
	s.render(c, http.StatusOK, "dashboard_list", p)
}

package web

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// reportExport is GET /agent/reports/export: the report the query asks
// for as a file (format csv, xlsx, pdf; svg: its chart), every row.
func (s *server) reportExport(c *gin.Context) {
	ctx, p := c.Request.Context(), principalOf(c)
	f, req, fe := readReportForm(c, s.loc)
	format := c.DefaultQuery("format", string(desk.FormatCSV))
	if format != "svg" && !slices.Contains(desk.ReportFormats, desk.ReportFormat(format)) {
		fe["format"] = ticket.P(ticket.FieldChoose, "Field", "format")
	}
	if len(fe) > 0 {
		s.fail(c, fe)
		return
	}
	rep, err := s.desk.Report(ctx, p, req)
	if err != nil {
		s.fail(c, fmt.Errorf("report export: %w", err))
		return
	}
	l := s.texts(c)
	name := fmt.Sprintf("%s-%s-%s.%s", rep.Request.Kind, rep.Request.From.Format("2006-01-02"), rep.Request.To.Format("2006-01-02"), format)
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	if format == "svg" {
		c.Data(http.StatusOK, "image/svg+xml", reportChart(l, rep, f.Chart).SVG())
		return
	}
	var buf bytes.Buffer
	if err := desk.WriteReport(&buf, rep, desk.ReportFormat(format), desk.ReportLabels(l.Localizer, rep)); err != nil {
		s.fail(c, fmt.Errorf("report export %s: %w", format, err))
		return
	}
	c.Data(http.StatusOK, desk.ReportFormat(format).ContentType(), buf.Bytes())
}

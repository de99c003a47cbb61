package web

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// reportJSON is a report in the API: its parameters and tables, every row.
type reportJSON struct {
	Kind        string            `json:"kind"`
	From        string            `json:"from"`
	To          string            `json:"to"`
	Granularity string            `json:"granularity"`
	Group       string            `json:"group"`
	Tables      []reportTableJSON `json:"tables"`
	// DeflectionsRecorded: the quality report counts tickets the FAQ spared.
	DeflectionsRecorded bool `json:"deflections_recorded"`
}

type reportTableJSON struct {
	ID      string           `json:"id"`
	Columns []string         `json:"columns"`
	Rows    []map[string]any `json:"rows"`
}

// apiReportShow is GET /api/v1/reports/:kind: a report over what the
// token's agent may read, as JSON, or as CSV with format=csv.
func (s *server) apiReportShow(c *gin.Context) {
	q := c.Request.URL.Query()
	q.Set("kind", c.Param("kind"))
	c.Request.URL.RawQuery = q.Encode()
	_, req, fe := readReportForm(c, s.loc)
	format := c.DefaultQuery("format", "json")
	if format != "json" && format != "csv" {
		fe["format"] = ticket.P(ticket.FieldChoose, "Field", "format")
	}
	if len(fe) > 0 {
		s.fail(c, fe)
		return
	}
	rep, err := s.desk.Report(c.Request.Context(), principalOf(c), req)
	if err != nil {
		s.fail(c, fmt.Errorf("api report: %w", err))
		return
	}
	if format == "csv" {
		var buf bytes.Buffer
		// Column names in the API are the columns' IDs, stable for
		// scripts; the group column is named by the grouping.
		l := desk.Labels{Table: func(id string) string { return id }, Column: func(id string) string {
			if id == "group" {
				return string(rep.Request.GroupBy)
			}
			return id
		}}
		if err := desk.WriteReport(&buf, rep, desk.FormatCSV, l); err != nil {
			s.fail(c, fmt.Errorf("api report csv: %w", err))
			return
		}
		c.Data(http.StatusOK, desk.FormatCSV.ContentType(), buf.Bytes())
		return
	}
	out := reportJSON{Kind: string(rep.Request.Kind), From: rep.Request.From.Format("2006-01-02"), To: rep.Request.To.Format("2006-01-02"),
		Granularity: string(rep.Request.Granularity), Group: string(rep.Request.GroupBy), DeflectionsRecorded: rep.DeflectionsRecorded}
	for _, t := range rep.Tables {
		tj := reportTableJSON{ID: t.ID, Rows: make([]map[string]any, 0, len(t.Rows))}
		for _, col := range t.Columns {
			tj.Columns = append(tj.Columns, col.ID)
		}
		for _, row := range t.Rows {
			m := make(map[string]any, len(row))
			for i, cell := range row {
				switch {
				case cell.Empty:
					m[t.Columns[i].ID] = nil
				case t.Columns[i].Numeric:
					m[t.Columns[i].ID] = cell.Value
				default:
					m[t.Columns[i].ID] = cell.Text
				}
			}
			tj.Rows = append(tj.Rows, m)
		}
		out.Tables = append(out.Tables, tj)
	}
	c.JSON(http.StatusOK, out)
}

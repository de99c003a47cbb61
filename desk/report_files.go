package desk

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/go-pdf/fpdf"
	"github.com/xuri/excelize/v2"
)

// ReportFormat is a file a report is exported as.
type ReportFormat string

// The formats.
const (
	FormatCSV  ReportFormat = "csv"
	FormatXLSX ReportFormat = "xlsx"
	FormatPDF  ReportFormat = "pdf"
)

// ReportFormats lists them in the order pages offer them.
var ReportFormats = []ReportFormat{FormatCSV, FormatXLSX, FormatPDF}

// ContentType is the format's media type.
func (f ReportFormat) ContentType() string {
	switch f {
	case FormatXLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case FormatPDF:
		return "application/pdf"
	}
	return "text/csv; charset=utf-8"
}

// Labels name a report's parts in the reader's language: Column the
// column IDs, Table the table IDs, Title the report.
type Labels struct {
	Title  string
	Column func(id string) string
	Table  func(id string) string
}

// WriteReport writes every row of every table of r (no cap) in format.
func WriteReport(w io.Writer, r Report, format ReportFormat, l Labels) error {
	switch format {
	case FormatCSV:
		return writeCSV(w, r, l)
	case FormatXLSX:
		return writeXLSX(w, r, l)
	case FormatPDF:
		return writePDF(w, r, l)
	}
	return fmt.Errorf("no report format %q", format)
}

// writeCSV writes the tables one after another, each with its header
// row, an empty line between them.
func writeCSV(w io.Writer, r Report, l Labels) error {
	cw := csv.NewWriter(w)
	for i, t := range r.Tables {
		if i > 0 {
			if err := cw.Write(nil); err != nil {
				return err
			}
		}
		head := make([]string, len(t.Columns))
		for j, c := range t.Columns {
			head[j] = l.Column(c.ID)
		}
		if err := cw.Write(head); err != nil {
			return err
		}
		for _, row := range t.Rows {
			rec := make([]string, len(row))
			for j, c := range row {
				rec[j] = c.Text
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeXLSX writes a sheet per table, numbers as numbers, through the
// stream writer, so that a million rows do not sit in memory as cells.
func writeXLSX(w io.Writer, r Report, l Labels) error {
	x := excelize.NewFile()
	defer x.Close()
	for i, t := range r.Tables {
		name := sheetName(l.Table(t.ID), i)
		if i == 0 {
			if err := x.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := x.NewSheet(name); err != nil {
			return err
		}
		sw, err := x.NewStreamWriter(name)
		if err != nil {
			return err
		}
		head := make([]any, len(t.Columns))
		for j, c := range t.Columns {
			head[j] = l.Column(c.ID)
		}
		if err := sw.SetRow("A1", head); err != nil {
			return err
		}
		for k, row := range t.Rows {
			vals := make([]any, len(row))
			for j, c := range row {
				switch {
				case t.Columns[j].Numeric && !c.Empty:
					vals[j] = c.Value
				case c.Empty:
					vals[j] = nil
				default:
					vals[j] = c.Text
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, k+2)
			if err := sw.SetRow(cell, vals); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	return x.Write(w)
}

// sheetName is a valid, unique sheet name: at most 31 characters.
func sheetName(s string, i int) string {
	r := []rune(s)
	if len(r) > 28 {
		r = r[:28]
	}
	if len(r) == 0 {
		return "Sheet" + strconv.Itoa(i+1)
	}
	return string(r)
}

// writePDF writes the chart's first series as bars and every table.
func writePDF(w io.Writer, r Report, l Labels) error {
	pdf := fpdf.New("L", "mm", "A4", "")
	tr := pdf.UnicodeTranslatorFromDescriptor("") // cp1252: German umlauts
	pdf.SetAutoPageBreak(true, 12)
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 14)
	pdf.CellFormat(0, 8, tr(l.Title), "", 1, "L", false, 0, "")
	pdfBars(pdf, tr, r.Chart)
	for _, t := range r.Tables {
		pdf.Ln(4)
		pdf.SetFont("Helvetica", "B", 11)
		pdf.CellFormat(0, 7, tr(l.Table(t.ID)), "", 1, "L", false, 0, "")
		width := 277.0 / math.Max(1, float64(len(t.Columns)))
		pdf.SetFont("Helvetica", "B", 7)
		for _, c := range t.Columns {
			pdf.CellFormat(width, 5, tr(clip(l.Column(c.ID), width)), "1", 0, "L", false, 0, "")
		}
		pdf.Ln(-1)
		pdf.SetFont("Helvetica", "", 7)
		for _, row := range t.Rows {
			for j, c := range row {
				align := "L"
				if t.Columns[j].Numeric {
					align = "R"
				}
				pdf.CellFormat(width, 5, tr(clip(c.Text, width)), "1", 0, align, false, 0, "")
			}
			pdf.Ln(-1)
		}
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// pdfBars draws the totals per X label of a chart as bars.
func pdfBars(pdf *fpdf.Fpdf, tr func(string) string, c ReportChart) {
	if len(c.X) == 0 {
		return
	}
	totals := make([]float64, len(c.X))
	top := 1.0
	for i := range c.X {
		for _, s := range c.Series {
			if i < len(s.Values) {
				totals[i] += s.Values[i]
			}
		}
		top = math.Max(top, totals[i])
	}
	x0, y0, w, h := 20.0, pdf.GetY()+4, 250.0, 50.0
	step := w / float64(len(c.X))
	pdf.SetFillColor(31, 95, 153)
	pdf.SetFont("Helvetica", "", 6)
	for i, v := range totals {
		bh := h * v / top
		pdf.Rect(x0+step*float64(i)+step*0.1, y0+h-bh, step*0.8, bh, "F")
		if len(c.X) <= 40 {
			pdf.Text(x0+step*float64(i)+step*0.1, y0+h+4, tr(clip(c.X[i], step)))
		}
	}
	pdf.Text(2, y0+3, strconv.FormatFloat(top, 'f', -1, 64))
	pdf.Line(x0, y0+h, x0+w, y0+h)
	pdf.SetY(y0 + h + 8)
}

// clip shortens s to what fits a cell of width mm at 7 pt, roughly.
func clip(s string, width float64) string {
	n := int(width / 1.5)
	r := []rune(s)
	if len(r) > n && n > 1 {
		return string(r[:n-1]) + "…"
	}
	return s
}

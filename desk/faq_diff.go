package desk

import (
	"context"
	"fmt"
	"strings"

	"github.com/pmezard/go-difflib/difflib"

	"github.com/kiz-ulm/kizdesk/models"
)

// DiffLine is a line of a diff: Op is ' ' (in both), '-' (only in the
// older version) or '+' (only in the newer one).
type DiffLine struct {
	Op   string
	Text string
}

// FieldDiff is how one field of an entry changed between two versions.
type FieldDiff struct {
	Field   string
	Changed bool
	Lines   []DiffLine
}

// FAQDiff is the difference between two versions of an entry.
type FAQDiff struct {
	Entry    models.FAQEntry
	From, To models.FAQVersion
	Fields   []FieldDiff
}

// DiffFAQ compares versions from and to of entry id, field by field and
// line by line (difflib's sequence matcher, the algorithm of Python's
// difflib: longest matching blocks, so moved paragraphs read as moved).
func (d *Desk) DiffFAQ(ctx context.Context, p Principal, id int64, from, to int) (FAQDiff, error) {
	var out FAQDiff
	if err := mustBeAgent(p); err != nil {
		return out, err
	}
	e, err := models.FAQByID(ctx, d.db, p.TenantID, id)
	if err != nil {
		return out, err
	}
	vs, err := models.FAQVersions(ctx, d.db, id)
	if err != nil {
		return out, err
	}
	var okFrom, okTo bool
	for _, v := range vs {
		if v.Version == from {
			out.From, okFrom = v, true
		}
		if v.Version == to {
			out.To, okTo = v, true
		}
	}
	if !okFrom || !okTo {
		return out, fmt.Errorf("versions %d, %d of FAQ entry %d: %w", from, to, id, ErrNotFound)
	}
	out.Entry = e
	service := func(v models.FAQVersion) string {
		if v.ServiceID == nil {
			return ""
		}
		return fmt.Sprint(*v.ServiceID)
	}
	pairs := []struct{ field, a, b string }{
		{"visibility", string(out.From.Visibility), string(out.To.Visibility)},
		{"service_id", service(out.From), service(out.To)},
		{"title_de", out.From.TitleDE, out.To.TitleDE}, {"question_de", out.From.QuestionDE, out.To.QuestionDE},
		{"answer_de", out.From.AnswerDE, out.To.AnswerDE},
		{"title_en", out.From.TitleEN, out.To.TitleEN}, {"question_en", out.From.QuestionEN, out.To.QuestionEN},
		{"answer_en", out.From.AnswerEN, out.To.AnswerEN},
	}
	for _, pr := range pairs {
		out.Fields = append(out.Fields, DiffText(pr.field, pr.a, pr.b))
	}
	return out, nil
}

// DiffText compares two texts line by line.
func DiffText(field, a, b string) FieldDiff {
	fd := FieldDiff{Field: field, Changed: a != b}
	al, bl := splitLines(a), splitLines(b)
	m := difflib.NewMatcher(al, bl)
	for _, op := range m.GetOpCodes() {
		switch op.Tag {
		case 'e':
			for _, l := range al[op.I1:op.I2] {
				fd.Lines = append(fd.Lines, DiffLine{Op: " ", Text: l})
			}
		case 'd', 'r', 'i':
			for _, l := range al[op.I1:op.I2] {
				fd.Lines = append(fd.Lines, DiffLine{Op: "-", Text: l})
			}
			for _, l := range bl[op.J1:op.J2] {
				fd.Lines = append(fd.Lines, DiffLine{Op: "+", Text: l})
			}
		}
	}
	return fd
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
}

package web

import (
	"context"
	"fmt"
	"strings"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
)

// The fake's FAQ suggestions for the portal: one public entry about
// Outlook, found by that word; and one file on carl's ticket.

func (f *fakeDesk) PortalFile(_ context.Context, p desk.Principal, number string, seq, n int) (desk.ArticleFile, error) {
	f.record("PortalFile", p, number)
	if err := f.mustBeCarl(p); err != nil {
		return desk.ArticleFile{}, err
	}
	if number != testNumber || seq != 2 || n != 1 {
		return desk.ArticleFile{}, fmt.Errorf("file: %w", desk.ErrNotFound)
	}
	return desk.ArticleFile{ArticleFile: models.ArticleFile{Seq: 1, Filename: "Anleitung.html"}, Data: []byte("<script>alert(1)</script>")}, nil
}

func (f *fakeDesk) SuggestFAQ(_ context.Context, p desk.Principal, text, lang string) ([]desk.FAQSuggestion, error) {
	f.record("SuggestFAQ", p, text, lang)
	if !strings.Contains(strings.ToLower(text), "outlook") {
		return nil, nil
	}
	return []desk.FAQSuggestion{{ID: 7, Title: "Outlook <fragt> nach dem Passwort",
		Snippet: []desk.SnippetPart{{Text: "Wenn "}, {Text: "Outlook", Hit: true}, {Text: " immer wieder fragt …"}}}}, nil
}

func (f *fakeDesk) RecordDeflection(_ context.Context, p desk.Principal, faqID int64, text string) error {
	f.record("RecordDeflection", p, faqID, text)
	if faqID != 7 {
		return fmt.Errorf("FAQ %d: %w", faqID, desk.ErrNotFound)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deflected = append(f.deflected, text)
	return nil
}

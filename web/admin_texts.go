package web

// The admin interface's words: kinds of objects, field labels, hints and
// the vocabulary of its choices, from the admin catalogues
// (i18n/locales/admin.*.yaml).

// AdminKind names an object kind ("queues", "api-tokens").
func (t texts) AdminKind(name string) string { return t.word("ui.admin.kind.", name) }

// AdminField labels a field; fields the audit log names without a label
// show as they are.
func (t texts) AdminField(name string) string { return t.word("ui.admin.field.", name) }

// AdminHint explains a field (a format, what empty means).
func (t texts) AdminHint(name string) string { return t.T("ui.admin.hint." + name) }

// AdminNone is the option of a select that chooses nothing.
func (t texts) AdminNone(name string) string { return t.T("ui.admin.none." + name) }

// AdminWord names a word of the admin vocabulary (levels, follow-up
// policies, account sources); other values show as they are.
func (t texts) AdminWord(w string) string { return t.word("ui.admin.word.", w) }

// AdminCell shows a value of a list or the audit log: yes and no for
// booleans, words in the reader's language, names as they are.
func (t texts) AdminCell(v string) string {
	switch v {
	case "true":
		return t.T("ui.admin.yes")
	case "false":
		return t.T("ui.admin.no")
	}
	return t.AdminWord(v)
}

// AdminAction names an audit action (create, update, revoke, remove).
func (t texts) AdminAction(a string) string { return t.word("ui.admin.action.", a) }

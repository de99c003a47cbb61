package mailin

import (
	"bufio"
	"bytes"
	"strings"

	"github.com/emersion/go-message/textproto"
)

// AutoKind says why the desk must not send an automatic response to a
// mail. The values are stable strings so they can be stored and logged.
type AutoKind string

const (
	AutoNone       AutoKind = ""
	AutoBounce     AutoKind = "bounce"         // delivery status notification
	AutoLoop       AutoKind = "loop"           // carries our own X-Loop
	AutoOwnAddress AutoKind = "own-address"    // sent from one of the desk's addresses
	AutoSubmitted  AutoKind = "auto-submitted" // Auto-Submitted (RFC 3834) or X-Autoreply and kin
	AutoReport     AutoKind = "report"         // other multipart/report: read receipts
	AutoDaemon     AutoKind = "daemon"         // MAILER-DAEMON, postmaster, no-reply, null return path
	AutoPrecedence AutoKind = "precedence"     // Precedence: bulk, junk, list
	AutoList       AutoKind = "list"           // List-Id, List-Unsubscribe
)

// Bounce is what a delivery status notification (RFC 3464) reports.
type Bounce struct {
	ReportingMTA string
	Recipients   []BounceRecipient
	// OriginalMessageID is the Message-ID of the mail that bounced, from
	// the returned message or its headers: the desk's own outgoing mail,
	// which leads to the ticket.
	OriginalMessageID string
}

// BounceRecipient is one per-recipient block of a DSN.
type BounceRecipient struct {
	Recipient  string // Final-Recipient, or Original-Recipient when there is none
	Action     string // failed, delayed, delivered, relayed, expanded
	Status     string // e.g. 5.1.1
	Diagnostic string // the remote server's words, e.g. "550 5.1.1 User unknown"
}

// Failed are the recipients the mail could not be delivered to.
func (b *Bounce) Failed() []BounceRecipient {
	var out []BounceRecipient
	for _, r := range b.Recipients {
		if r.Action == "failed" || r.Action == "" && strings.HasPrefix(r.Status, "5") {
			out = append(out, r)
		}
	}
	return out
}

// reportPart reads the machine-readable parts of a DSN. They are kept as
// attachments as well.
func (p *parser) reportPart(n *node) error {
	switch n.mediaType {
	case "message/delivery-status", "message/global-delivery-status":
		data, broken, _, err := p.decode(n, false)
		if err != nil || broken {
			return err
		}
		parseDeliveryStatus(data, p.report)
	case "message/rfc822", "message/global", "text/rfc822-headers", "message/global-headers":
		data, broken, _, err := p.decode(n, false)
		if err != nil || broken {
			return err
		}
		h, herr := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(data)))
		if herr != nil && h.Len() == 0 {
			return nil
		}
		if id := normaliseID(h.Get("Message-Id")); id != "" && p.report.OriginalMessageID == "" {
			p.report.OriginalMessageID = id
		}
	}
	return nil
}

// parseDeliveryStatus reads the per-message block and the per-recipient
// blocks, which are header blocks separated by blank lines.
func parseDeliveryStatus(data []byte, b *Bounce) {
	br := bufio.NewReader(bytes.NewReader(data))
	for first := true; ; first = false {
		h, err := textproto.ReadHeader(br)
		if first {
			b.ReportingMTA = dsnValue(h.Get("Reporting-Mta"))
		}
		rcpt := dsnValue(h.Get("Final-Recipient"))
		if rcpt == "" {
			rcpt = dsnValue(h.Get("Original-Recipient"))
		}
		if rcpt != "" {
			b.Recipients = append(b.Recipients, BounceRecipient{
				Recipient:  strings.Trim(rcpt, "<>"),
				Action:     strings.ToLower(CleanLine(h.Get("Action"))),
				Status:     CleanLine(h.Get("Status")),
				Diagnostic: dsnValue(h.Get("Diagnostic-Code")),
			})
		}
		if err != nil {
			return
		}
		if _, err := br.Peek(1); err != nil {
			return
		}
	}
}

// dsnValue drops the type of a typed DSN field ("rfc822; a@b" → "a@b",
// "smtp; 550 …" → "550 …").
func dsnValue(v string) string {
	if _, rest, ok := strings.Cut(v, ";"); ok {
		v = rest
	}
	return CleanLine(v)
}

// daemonLocalParts are senders that never read answers.
var daemonLocalParts = []string{"mailer-daemon", "postmaster"}
var noReplyPrefixes = []string{"noreply", "no-reply", "no_reply", "donotreply", "do-not-reply", "do_not_reply"}

func isDaemon(email string) bool {
	local, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(email)), "@")
	for _, d := range daemonLocalParts {
		if local == d {
			return true
		}
	}
	for _, pre := range noReplyPrefixes {
		if strings.HasPrefix(local, pre) {
			return true
		}
	}
	return false
}

// detectAuto names the first reason, most specific first, not to answer a
// mail automatically.
func detectAuto(h textproto.Header, m *Message, isReport bool, opts Options) AutoKind {
	if m.Bounce != nil {
		return AutoBounce
	}
	if loop := strings.TrimSpace(opts.LoopHeader); loop != "" {
		for _, v := range h.Values("X-Loop") {
			if strings.EqualFold(strings.TrimSpace(v), loop) {
				return AutoLoop
			}
		}
	}
	senders := []string{m.From.Email}
	for _, a := range lenientAddresses(h.Get("Sender")) {
		senders = append(senders, a.Email)
	}
	for _, own := range opts.OwnAddresses {
		for _, s := range senders {
			if s != "" && strings.EqualFold(strings.TrimSpace(own), s) {
				return AutoOwnAddress
			}
		}
	}
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && !strings.HasPrefix(v, "no") {
		return AutoSubmitted
	}
	for _, k := range []string{"X-Autoreply", "X-Autorespond", "X-Autogenerated", "X-Auto-Reply"} {
		if h.Has(k) {
			return AutoSubmitted
		}
	}
	if isReport {
		return AutoReport
	}
	if strings.TrimSpace(h.Get("Return-Path")) == "<>" {
		return AutoDaemon
	}
	for _, s := range senders {
		if s != "" && isDaemon(s) {
			return AutoDaemon
		}
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Precedence"))) {
	case "bulk", "junk", "list", "auto_reply":
		return AutoPrecedence
	}
	if h.Has("List-Id") || h.Has("List-Unsubscribe") {
		return AutoList
	}
	return AutoNone
}

package mailin

import "testing"

func TestTicketNumberFromSubject(t *testing.T) {
	const n = "2026113010000052"
	for _, c := range []struct{ subject, prefix, want string }{
		{"[Ticket#2026113010000052] Drucker", "", n},
		{"AW: [Ticket#2026113010000052] Drucker", "Ticket#", n},
		{"RE: WG: Fwd: Antwort: [Ticket#2026113010000052] Drucker", "", n},
		{"AW: AW: AW: Re[2]: [Ticket#2026113010000052]", "", n},
		{"[Ticket# 2026113010000052] Drucker", "", n},
		{"[Ticket #2026113010000052] Drucker", "", n},
		{"[ Ticket#2026113010000052 ] Drucker", "", n},
		{"Ticket#2026113010000052 Drucker", "", n},
		{"[Ticket#:2026113010000052] Drucker", "", n},
		{"[ticket#2026113010000052] drucker", "", n},
		{"[TICKET#2026113010000052]", "", n},
		{"Drucker [Ticket#2026113010000052]", "", n},
		{"Drucker(Ticket#2026113010000052)", "", n},
		{"AW: [Ticket#2026113010000052] WG: [Ticket#2026112710000017]", "", n},
		{"[Ticket#123] then [Ticket#2026112710000017]", "", "2026112710000017"},
		{"[KIZ-2026113010000052] Drucker", "KIZ-", n},
		{"[kiz-2026113010000052]", "KIZ-", n},
		{"[Ticket#2026113010000052]", "KIZ-", ""},
		// not tags
		{"Rechnung 2026113010000052", "", ""},
		{"#2026113010000052", "", ""},
		{"[2026113010000052]", "", ""},
		{"[Ticket#202611301000005] too short", "", ""},
		{"[Ticket#20261130100000521] too long", "", ""},
		{"MyTicket#2026113010000052", "", ""},
		{"My Ticket#2026113010000052", "", n},
		{"", "", ""},
		{"Ticket#", "", ""},
	} {
		if got := TicketNumberFromSubject(c.subject, c.prefix); got != c.want {
			t.Errorf("TicketNumberFromSubject(%q, %q) = %q, want %q", c.subject, c.prefix, got, c.want)
		}
	}
}

func TestSubjectTag(t *testing.T) {
	for _, c := range []struct{ prefix, number, want string }{
		{"Ticket#", "2026113010000052", "[Ticket#2026113010000052]"},
		{"", "2026113010000052", "[Ticket#2026113010000052]"},
		{"KIZ-", "2026113010000052", "[KIZ-2026113010000052]"},
	} {
		got := SubjectTag(c.prefix, c.number)
		if got != c.want {
			t.Errorf("SubjectTag(%q, %q) = %q, want %q", c.prefix, c.number, got, c.want)
		}
		// What the desk sends must be found again, also after a reply.
		if back := TicketNumberFromSubject("AW: "+got+" Drucker", c.prefix); back != c.number {
			t.Errorf("tag %q reads back as %q", got, back)
		}
	}
}

func TestCleanSubject(t *testing.T) {
	for _, c := range []struct{ subject, want string }{
		{"AW: [Ticket#2026113010000052] Drucker druckt nicht", "Drucker druckt nicht"},
		{"RE: WG: Fwd: AW: Drucker", "Drucker"},
		{"Re: re: RE:Drucker", "Drucker"},
		{"AW(2): Re[3]: Re^2: Drucker", "Drucker"},
		{"Antwort: Antw: WG: FW: Drucker", "Drucker"},
		{"[Ticket#2026113010000052] AW: Drucker", "Drucker"},
		{"AW: [Ticket# 2026113010000052] WG: Drucker", "Drucker"},
		{"Drucker [Ticket#2026113010000052]", "Drucker"},
		{"Automatische Antwort: Drucker", "Drucker"},
		{"  Drucker   im   Raum  ", "Drucker im Raum"},
		// kept
		{"Rechnung 2026113010000052", "Rechnung 2026113010000052"},
		{"[Ticket#123] Drucker", "[Ticket#123] Drucker"},
		{"Reparatur: Drucker", "Reparatur: Drucker"},
		{"Awareness-Schulung", "Awareness-Schulung"},
		{"WLAN: kein Zugang", "WLAN: kein Zugang"},
		{"AW:", ""},
		{"", ""},
	} {
		if got := CleanSubject(c.subject, ""); got != c.want {
			t.Errorf("CleanSubject(%q) = %q, want %q", c.subject, got, c.want)
		}
	}
}

package mailin_test

import (
	"fmt"

	"github.com/kiz-ulm/kizdesk/mailin"
)

func ExampleParse() {
	raw := "From: =?ISO-8859-1?Q?J=FCrgen_M=FCller?= <juergen.mueller@uni-ulm.de>\r\n" +
		"Subject: AW: [Ticket#2026113010000052] WLAN\r\n" +
		"Content-Type: text/plain; charset=ISO-8859-1\r\n" +
		"Content-Transfer-Encoding: quoted-printable\r\n" +
		"\r\n" +
		"Gel=F6st, danke!\r\n"
	m, err := mailin.Parse([]byte(raw), mailin.Options{LoopHeader: "kizdesk@kiz.uni-ulm.de"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.From.Name, m.TicketNumber, mailin.CleanSubject(m.Subject, ""))
	fmt.Println(m.Text)
	fmt.Println(mailin.SubjectTag("", m.TicketNumber))
	// Output:
	// Jürgen Müller 2026113010000052 WLAN
	// Gelöst, danke!
	// [Ticket#2026113010000052]
}

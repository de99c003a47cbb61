// Package mailout writes and sends the desk's mail: Compose turns an
// article into a raw RFC 5322 message, a Sender delivers raw messages
// (SMTPSender to the university's relay, Capture in memory for
// `kizdesk dev` and tests).
//
// Why it looks the way it does:
//
//   - The Message-ID is "<ticket-number.article-key@domain>", made from a
//     key the caller keeps with the article, and Compose is deterministic
//     (the caller passes the Date; MIME boundaries derive from the
//     Message-ID). A workflow that crashes after sending and sends the
//     article again produces the same message: threading in the customer's
//     client stays intact and the receiver can drop the duplicate.
//   - Every outgoing subject carries the ticket tag (mailin.SubjectTag), and
//     In-Reply-To/References point at the customer's last mail, because
//     that is how replies find their ticket again (mailin reads both).
//   - Automatic mail (acknowledgements) is marked with Auto-Submitted
//     (RFC 3834) and the desk's X-Loop, and mailin classifies exactly these
//     as automatic, so two desks (or a desk and an out-of-office) never
//     answer each other in a loop.
//   - Send errors are classified for the workflow: IsTemporary is true for
//     anything that may work later (no connection, timeouts, 4xx replies,
//     TLS trouble), false only when the server refused the message or a
//     recipient for good (5xx) or the input cannot be sent. Temporary
//     failures are retried for hours; permanent ones are recorded on the
//     ticket.
//   - Credentials never travel in clear: AUTH is only attempted on a TLS
//     connection (STARTTLS or SMTPS), checked at construction and again
//     right before authenticating.
//   - The package has no database and no kizdesk core dependency; it reads
//     mailin only for the subject tag and the address type.
package mailout

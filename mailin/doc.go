// Package mailin reads the mail customers send to the service desk: one raw
// RFC 5322 message in, one Message out, with no database and no network, so
// that the mail gateway (IMAP poller, LMTP listener) and the tests call the
// same code.
//
// Why it looks the way it does:
//
//   - MIME decoding is github.com/emersion/go-message's (transfer encodings,
//     RFC 2047 words, RFC 2231 parameters) with its charset tables, so
//     ISO-8859-1/-15 and Windows-1252 from German mail clients come out as
//     UTF-8. This package only decides what a part means for a ticket: which
//     part is the text, what is an attachment, whether the mail is automatic.
//   - The tree is walked by hand over go-message's textproto layer rather than
//     with Entity.Walk, because a part that does not decode (bad base64, an
//     unknown charset) must be kept exactly as it arrived, and because the
//     limits on parts, depth and decoded size have to be enforced while
//     reading, before a hostile mail has been expanded in memory.
//   - A mail is quarantined (QuarantineError, the caller keeps the raw bytes)
//     only when nothing sensible can be read from it: too big, unreadable
//     header, limits exceeded. One broken part is not a reason to lose the
//     customer's message; it becomes an attachment and a line in Problems.
//   - Text is always UTF-8 without NUL bytes, because the ticket store
//     (PostgreSQL text) refuses both. HTML is never shown: HTML-only mail is
//     turned into readable text with golang.org/x/net/html's tokenizer, which
//     already decodes entities and copes with the broken markup mail clients
//     produce, and the original HTML is handed back only to be stored.
//   - Auto says why the desk must not answer automatically (auto replies,
//     lists, bounces, our own mail coming back), because a desk that answers
//     an out-of-office with an acknowledgement starts a mail loop.
//   - Ticket tags follow OTRS ("[Ticket#2026113010000052]") since customers
//     and other desks at the university already know them; finding them is
//     tolerant of what mail clients do to subjects.
package mailin

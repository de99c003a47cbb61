// Package mailpoll takes the desk's mail from IMAP mailboxes, for sites
// where mail is not handed over by SMTP/LMTP (see package mailgate) but
// lands in a mailbox on someone else's server.
//
// # Marked only once stored
//
// The mailbox is the only copy of a mail until the desk has stored it, so
// the poller changes nothing on the server before Handler.Deliver returned
// nil: it fetches with BODY.PEEK[] (which leaves \Seen alone), and only
// then adds the keyword $KizdeskStored and \Seen, or moves the message to
// Config.MoveTo. If the desk is down, Deliver fails, the message stays as
// it was and is offered again in the next round; later mail waits behind
// it, so mail is stored in the order it arrived.
//
// The other way round, storing first and marking second, leaves a window:
// a crash or a lost connection between the two means the message is
// offered again. That is deliberate. Losing a mail is worse than seeing it
// twice, and the desk recognises a mail it already has by its Message-ID.
//
// Which messages are taken is decided by the keyword, not by \Seen: people
// read the same mailbox with their mail clients. Only when the server
// keeps no keywords (PERMANENTFLAGS without \* and $KizdeskStored) does the
// poller fall back to unseen mail, and says so in the log.
//
// # Waiting for mail
//
// After each round the poller IDLEs when the server offers it and starts
// the next round when the server reports new mail (or after
// Config.IdleRefresh); otherwise it polls every Config.Interval. Lost
// connections, refused logins and desk outages are retried for ever with
// a doubling backoff capped at Config.MaxBackoff.
//
// The package knows nothing of the desk: the caller wires it to storage
// through Handler.
package mailpoll

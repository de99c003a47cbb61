package scale

import (
	"math/rand/v2"
	"strings"
)

// Words for names, titles and articles: enough variety that neither
// PostgreSQL's compression nor a later full-text index sees one repeated
// string, little enough to stay out of the way.

var firstNames = []string{
	"Anna", "Ben", "Clara", "David", "Elif", "Felix", "Greta", "Hannah", "Ilias", "Jana", "Jonas", "Katharina",
	"Lukas", "Lea", "Maximilian", "Marie", "Noah", "Olga", "Paul", "Pia", "Quirin", "Rosa", "Simon", "Sophie",
	"Tim", "Ursula", "Viktor", "Wiebke", "Xaver", "Yasemin", "Zoe", "Ahmet", "Birgit", "Carsten", "Dana",
	"Emil", "Frieda", "Georg", "Helga", "Ingo", "Julia", "Karl", "Lina", "Mehmet", "Nina", "Oskar",
}

var lastNames = []string{
	"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
	"Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann",
	"Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Schmitz", "Krause", "Meier",
	"Lehmann", "Schmid", "Schulze", "Maier", "Köhler", "Herrmann", "König", "Walter", "Mayer", "Huber",
	"Kaiser", "Fuchs", "Peters", "Lang", "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Schubert", "Yilmaz",
	"Kaya", "Nowak", "Kowalski", "Vogel", "Friedrich", "Keller", "Günther", "Frank", "Berger",
}

var titles = []string{
	"Outlook synchronisiert den Kalender nicht", "eduroam bricht ab", "VPN-Verbindung schlägt fehl",
	"Passwort vergessen", "Neue Mailingliste", "Drucker druckt nicht", "Lizenz für MATLAB",
	"Moodle-Kurs anlegen", "Zertifikat läuft ab", "Netzlaufwerk nicht erreichbar", "Datendose defekt",
	"Telefon ohne Freizeichen", "Windows-Update hängt", "Adobe Acrobat startet nicht", "Webseite nicht erreichbar",
	"Postfach voll", "Zoom-Lizenz beantragen", "Backup wiederherstellen", "Neuer Rechner für Mitarbeiterin",
	"Account gesperrt", "Weiterleitung einrichten", "Plotter-Auftrag hängt", "WLAN im Hörsaal langsam",
	"Teams-Kanal fehlt", "Gastzugang für Tagung",
}

var places = []string{
	"im Hörsaal H4/5", "in der Bibliothek", "im Büro O27/341", "im Labor N25", "zu Hause", "im Seminarraum 220",
	"in der Mensa", "am Arbeitsplatz", "im Rechenzentrum", "im Institut für Informatik",
}

var sentences = []string{
	"Seit heute früh funktioniert es nicht mehr.",
	"Ich habe den Rechner schon neu gestartet, leider ohne Erfolg.",
	"Die Fehlermeldung lautet: Zeitüberschreitung bei der Anmeldung.",
	"Können Sie bitte nachsehen, woran das liegt?",
	"Das Problem tritt nur bei mir auf, die Kollegen sind nicht betroffen.",
	"Gestern ging alles noch.",
	"Bitte melden Sie sich telefonisch unter der Durchwahl 22345.",
	"Vielen Dank für die schnelle Hilfe!",
	"Wir haben die Einstellungen geprüft und einen Fehler im Profil gefunden.",
	"Bitte probieren Sie es jetzt noch einmal und geben Sie uns Bescheid.",
	"Die Störung ist behoben, der Dienst läuft wieder.",
	"Ich habe die Anfrage an das zuständige Team weitergegeben.",
	"Der Access Point meldet viele Reassociations.",
	"Das Zertifikat wurde erneuert und ausgerollt.",
	"Leider besteht das Problem weiterhin.",
	"Anbei ein Screenshot der Meldung.",
	"Identität am Telefon geprüft.",
	"Rückfrage beim Institut: Wer ist Ansprechpartner?",
	"Die Lizenz ist bestellt, die Lieferung dauert etwa eine Woche.",
	"Wir melden uns, sobald wir mehr wissen.",
	"Der Termin für den Austausch ist am Donnerstag um 10 Uhr.",
	"Bitte schließen Sie das Ticket, es hat sich erledigt.",
	"Die Weiterleitung ist eingerichtet.",
	"Der Speicherplatz wurde auf 50 GB erhöht.",
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// body makes an article text of a few sentences: 100 to 600 bytes, like
// most service desk messages.
func body(r *rand.Rand, greeting string) string {
	var b strings.Builder
	b.WriteString(greeting)
	b.WriteString(",\n\n")
	n := 1 + r.IntN(5)
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(pick(r, sentences))
	}
	if r.IntN(3) == 0 {
		b.WriteString(" Ort: ")
		b.WriteString(pick(r, places))
		b.WriteByte('.')
	}
	b.WriteString("\n\nViele Grüße")
	return b.String()
}

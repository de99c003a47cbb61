#!/usr/bin/env python3
# Writes the mailin corpus: each NAME.eml and its NAME.want.json. The mails
# are written here by hand; Python only does the encoding chores (base64,
# quoted-printable, CRLF, 8-bit charsets) and computes the expected SHA-256
# of attachments with hashlib, independently of the Go code under test.
# Run from anywhere: python3 mailin/testdata/gencorpus.py
import base64, hashlib, json, os, quopri, textwrap
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
os.makedirs(OUT, exist_ok=True)

def b64(data):
    s = base64.b64encode(data).decode()
    return "\n".join(s[i:i+76] for i in range(0, len(s), 76))

def sha(data):
    return hashlib.sha256(data).hexdigest()

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cfc00000030101004818dd8d0000000049454e44ae426082")
JPG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")
P7S = bytes(range(48, 48+120)) + b"\x30\x82\x01\x00" + bytes(64)
ICS = ("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nPRODID:Microsoft Exchange Server 2019\r\nVERSION:2.0\r\n"
       "BEGIN:VEVENT\r\nUID:040000008200E00074C5B7101A82E008\r\nSUMMARY;LANGUAGE=de-DE:Besprechung Druckerumstellung\r\n"
       "DTSTART:20261203T090000Z\r\nDTEND:20261203T100000Z\r\nORGANIZER:mailto:anna.schmidt@uni-ulm.de\r\n"
       "END:VEVENT\r\nEND:VCALENDAR\r\n").encode()
DOCX = b"PK\x03\x04" + b"Wordfile-contents" * 4

mails = {}
wants = {}

def add(name, text, want, crlf=True):
    text = textwrap.dedent(text).lstrip("\n")
    data = text.encode("utf-8") if isinstance(text, str) else text
    mails[name] = (data, crlf)
    wants[name] = want

def addb(name, data, want, crlf=True):
    mails[name] = (data, crlf)
    wants[name] = want

HDR = "Date: Mon, 30 Nov 2026 09:15:00 +0100\nTo: Servicedesk kiz <servicedesk@uni-ulm.de>\nMIME-Version: 1.0\n"

add("plain-utf8", HDR + """From: Anna Schmidt <anna.schmidt@uni-ulm.de>
Subject: Drucker im Raum O27/123 druckt nicht
Message-ID: <a1b2c3@mail.uni-ulm.de>
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Hallo,

der Drucker im Raum O27/123 zeigt „Papierstau“, obwohl kein Papier klemmt.
Grüße aus der Universität Ulm – Anna
""", {"subject": "Drucker im Raum O27/123 druckt nicht",
      "from": {"name": "Anna Schmidt", "email": "anna.schmidt@uni-ulm.de"},
      "to": ["servicedesk@uni-ulm.de"], "message_id": "a1b2c3@mail.uni-ulm.de",
      "date": "2026-11-30T09:15:00+01:00",
      "text": "Hallo,\n\nder Drucker im Raum O27/123 zeigt „Papierstau“, obwohl kein Papier klemmt.\nGrüße aus der Universität Ulm – Anna\n",
      "attachments": []})

body = "Sehr geehrte Damen und Herren,\n\nich kann mich seit gestern nicht mehr im WLAN anmelden. Die Fehlermeldung lautet: \"Überprüfung fehlgeschlagen\".\nMit freundlichen Grüßen\nJürgen Müller\n"
qp = quopri.encodestring(body.encode("latin-1")).decode()
add("latin1-qp", HDR + """From: =?ISO-8859-1?Q?J=FCrgen_M=FCller?= <juergen.mueller@uni-ulm.de>
Subject: =?ISO-8859-1?Q?WLAN-Anmeldung_schl=E4gt_fehl?=
Message-ID: <latin1qp@uni-ulm.de>
Content-Type: text/plain; charset=ISO-8859-1
Content-Transfer-Encoding: quoted-printable

""" + qp, {"subject": "WLAN-Anmeldung schlägt fehl",
           "from": {"name": "Jürgen Müller", "email": "juergen.mueller@uni-ulm.de"},
           "message_id": "latin1qp@uni-ulm.de",
           "text": body, "attachments": []})

cp = "Guten Tag,\n\ndie Lizenz für „MATLAB“ kostet laut Angebot 120 € – bitte prüfen.\nGruß\n"
addb("cp1252-8bit", (HDR + """From: Petra Weiß <petra.weiss@uni-ulm.de>
Subject: Lizenzkosten MATLAB
Message-ID: <cp1252@uni-ulm.de>
Content-Type: text/plain; charset=windows-1252
Content-Transfer-Encoding: 8bit

""").encode("utf-8") + cp.encode("cp1252"), {
    "subject": "Lizenzkosten MATLAB", "from": {"name": "Petra Weiß", "email": "petra.weiss@uni-ulm.de"},
    "text": cp, "attachments": []})

l9 = "Die Mensa-Karte wurde mit 20 ¤ aufgeladen, aber nicht gutgeschrieben.\n"  # ¤ is € in latin-9
l9text = l9.replace("¤", "€")
l9qp = quopri.encodestring(l9text.encode("iso8859_15")).decode()
add("latin9-euro-qp", HDR + """From: Thomas Kühn <thomas.kuehn@uni-ulm.de>
Subject: Mensakarte
Message-ID: <latin9@uni-ulm.de>
Content-Type: text/plain; charset="iso-8859-15"
Content-Transfer-Encoding: quoted-printable

""" + l9qp, {"subject": "Mensakarte", "text": l9text, "attachments": []})

b64body = "Hallo kiz,\r\n\r\nmein Passwort für das Studierendenportal läuft ab.\r\nDanke!\r\n"
add("base64-body", HDR + """From: student@uni-ulm.de
Subject: Passwort
Message-ID: <b64@uni-ulm.de>
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: base64

""" + b64(b64body.encode()) + "\n", {"subject": "Passwort", "from": {"email": "student@uni-ulm.de"},
    "text": b64body.replace("\r\n", "\n"), "attachments": []})

# "Störung: Prüfungsanmeldung" split in B words; the "ü" of Prüfung split across two words
subj = "Störung: Prüfungsanmeldung über LSF"
raw = subj.encode()
i = raw.index("ü".encode()) + 1 if False else raw.index(b"Pr\xc3\xbc") + 3  # split inside "ü"
w1, w2, w3 = raw[:i], raw[i:i+12], raw[i+12:]
words = " ".join("=?UTF-8?B?" + base64.b64encode(w).decode() + "?=" for w in (w1, w2, w3))
add("subject-2047-b-split", HDR + "From: Lena Vogel <lena.vogel@uni-ulm.de>\nSubject: " + words.replace(" ", "\n ", 1) + """
Message-ID: <subjb@uni-ulm.de>
Content-Type: text/plain; charset=utf-8

Die Anmeldung geht nicht.
""", {"subject": subj, "text_contains": ["Die Anmeldung geht nicht."], "attachments": []})

add("subject-2047-q", HDR + """From: Lena Vogel <lena.vogel@uni-ulm.de>
Subject: =?iso-8859-1?Q?AW=3A_Zugang_zum_Gro=DFrechner_f=FCr?=
 =?iso-8859-1?Q?_das_Institut_f=FCr_Optik?= - dringend
Message-ID: <subjq@uni-ulm.de>
Content-Type: text/plain

Bitte freischalten.
""", {"subject": "AW: Zugang zum Großrechner für das Institut für Optik - dringend",
      "text": "Bitte freischalten.\n", "attachments": []})

add("from-2047-names", HDR.replace("To: Servicedesk kiz <servicedesk@uni-ulm.de>\n", "") + """From: =?UTF-8?B?RHIuIEfDvG50aGVyIMOWemTDpG1pcg==?= <guenther.oezdaemir@uni-ulm.de>
To: "Servicedesk kiz" <servicedesk@uni-ulm.de>, =?iso-8859-1?Q?Bj=F6rn_K=E4stner?= <bjoern.kaestner@uni-ulm.de>
Cc: "Weiß, Maria" <maria.weiss@uni-ulm.de>
Reply-To: Sekretariat =?utf-8?q?Institut_f=C3=BCr_Physik?= <physik-sek@uni-ulm.de>
Subject: Beamer
Message-ID: <names@uni-ulm.de>
Content-Type: text/plain; charset=us-ascii

Beamer defekt.
""", {"subject": "Beamer", "from": {"name": "Dr. Günther Özdämir", "email": "guenther.oezdaemir@uni-ulm.de"},
      "to": ["servicedesk@uni-ulm.de", "bjoern.kaestner@uni-ulm.de"], "to_names": ["Servicedesk kiz", "Björn Kästner"],
      "cc": ["maria.weiss@uni-ulm.de"], "cc_names": ["Weiß, Maria"],
      "reply_to": ["physik-sek@uni-ulm.de"], "reply_to_names": ["Sekretariat Institut für Physik"],
      "text": "Beamer defekt.\n", "attachments": []})

add("rfc2231-filename", HDR + """From: Anna Schmidt <anna.schmidt@uni-ulm.de>
Subject: Formular
Message-ID: <r2231@uni-ulm.de>
Content-Type: multipart/mixed; boundary="==b1=="

--==b1==
Content-Type: text/plain; charset=utf-8

Anbei das Formular.
--==b1==
Content-Type: application/pdf
Content-Disposition: attachment; filename*=UTF-8''Pr%C3%BCfungsanmeldung%20%C3%84nderung.pdf
Content-Transfer-Encoding: base64

""" + b64(PDF) + """
--==b1==--
""", {"subject": "Formular", "text": "Anbei das Formular.",
      "attachments": [{"filename": "Prüfungsanmeldung Änderung.pdf", "content_type": "application/pdf", "sha256": sha(PDF)}]})

add("rfc2231-continuation", HDR + """From: Anna Schmidt <anna.schmidt@uni-ulm.de>
Subject: Antrag
Message-ID: <r2231c@uni-ulm.de>
Content-Type: multipart/mixed; boundary="b2"

--b2
Content-Type: text/plain; charset=utf-8

Siehe Anhang.
--b2
Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document
Content-Disposition: attachment;
 filename*0*=UTF-8''Antrag%20auf%20Zugang%20zum%20Rechenzentrum%20f;
 filename*1*=%C3%BCr%20Gastwissenschaftler%20%E2%80%93%20;
 filename*2*=Gr%C3%B6%C3%9Fe.docx
Content-Transfer-Encoding: base64

""" + b64(DOCX) + """
--b2--
""", {"subject": "Antrag", "text": "Siehe Anhang.",
      "attachments": [{"filename": "Antrag auf Zugang zum Rechenzentrum für Gastwissenschaftler – Größe.docx",
                       "content_type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "sha256": sha(DOCX)}]})

alt_html = "<html><body><p>Hallo,</p><p>das <b>VPN</b> bricht ab.</p></body></html>"
add("alternative", HDR + """From: Anna Schmidt <anna.schmidt@uni-ulm.de>
Subject: VPN
Message-ID: <alt@uni-ulm.de>
Content-Type: multipart/alternative; boundary="alt1"

--alt1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Hallo,

das VPN bricht ab (Plaintext-Version).
--alt1
Content-Type: text/html; charset=utf-8

""" + alt_html + """
--alt1--
""", {"subject": "VPN", "text": "Hallo,\n\ndas VPN bricht ab (Plaintext-Version).", "html": True,
      "attachments": []})

html_only = """<!DOCTYPE html>
<html><head><title>Newsletter-Titel</title>
<style>p { color: red; } .x::before { content: "STYLE"; }</style>
<script>alert("SCRIPT"); document.write("<p>evil</p>");</script>
</head>
<body>
<div>Sehr geehrte Damen &amp; Herren,</div>
<p>bitte beachten Sie die&nbsp;Wartung am 3.&#160;Dezember &ndash; Details unter
<a href="https://www.uni-ulm.de/einrichtungen/kiz/">kiz-Webseite</a>.</p>
<ul><li>E-Mail</li><li>Moodle &lt;LMS&gt;</li></ul>
<p><a href="javascript:alert(1)">Hier klicken</a> oder <a href="mailto:helpdesk@uni-ulm.de">helpdesk@uni-ulm.de</a></p>
<blockquote>Alte Nachricht<br>Zeile 2</blockquote>
<table><tr><td>Dienst</td><td>Status</td></tr><tr><td>VPN</td><td>gestört</td></tr></table>
<img src="cid:x" alt="Logo"><img src="https://tracker.example/p.gif">
</body></html>
"""
add("html-only", HDR + """From: Webmaster <webmaster@uni-ulm.de>
Subject: Wartungsankündigung
Message-ID: <htmlonly@uni-ulm.de>
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: 8bit

""" + html_only, {"subject": "Wartungsankündigung", "html": True,
    "text_contains": ["Sehr geehrte Damen & Herren,", "bitte beachten Sie die Wartung am 3. Dezember – Details unter kiz-Webseite (https://www.uni-ulm.de/einrichtungen/kiz/).",
                      "- E-Mail\n- Moodle <LMS>", "Hier klicken oder helpdesk@uni-ulm.de", "> Alte Nachricht\n> Zeile 2", "VPN\tgestört", "[Logo]"],
    "text_not_contains": ["STYLE", "SCRIPT", "alert", "evil", "<p", "<script", "<a ", "javascript", "Newsletter-Titel", "&amp;", "&nbsp;", "tracker"],
    "attachments": []})

rel_html = '<html><body><p>Der Fehler sieht so aus:</p><img src="cid:screenshot1@uni-ulm.de" alt=""><p>Gru&szlig;</p></body></html>'
add("related-inline-image", HDR + """From: Anna Schmidt <anna.schmidt@uni-ulm.de>
Subject: Fehlermeldung Outlook
Message-ID: <related@uni-ulm.de>
Content-Type: multipart/alternative; boundary="outer"

--outer
Content-Type: text/plain; charset=utf-8

Der Fehler sieht so aus:
[Bild]
Gruß
--outer
Content-Type: multipart/related; boundary="rel"; type="text/html"

--rel
Content-Type: text/html; charset=utf-8

""" + rel_html + """
--rel
Content-Type: image/png; name="image001.png"
Content-Disposition: inline; filename="image001.png"
Content-ID: <screenshot1@uni-ulm.de>
Content-Transfer-Encoding: base64

""" + b64(PNG) + """
--rel
Content-Type: image/jpeg
Content-ID: <logo@uni-ulm.de>
Content-Transfer-Encoding: base64

""" + b64(JPG) + """
--rel--
--outer--
""", {"subject": "Fehlermeldung Outlook", "text": "Der Fehler sieht so aus:\n[Bild]\nGruß", "html": True,
      "attachments": [{"filename": "image001.png", "content_type": "image/png", "sha256": sha(PNG), "inline": True, "content_id": "screenshot1@uni-ulm.de"},
                      {"filename": "image.jpg", "content_type": "image/jpeg", "sha256": sha(JPG), "inline": True, "content_id": "logo@uni-ulm.de"}]})

add("mixed-pdf-image", HDR + """From: Anna Schmidt <anna.schmidt@uni-ulm.de>
Subject: Rechnung und Foto
Message-ID: <mixed@uni-ulm.de>
Content-Type: multipart/mixed; boundary="mix"

This is a multi-part message in MIME format.

--mix
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=ISO-8859-1
Content-Transfer-Encoding: quoted-printable

Anbei Rechnung und Foto vom Ger=E4t.
--alt
Content-Type: text/html; charset=ISO-8859-1
Content-Transfer-Encoding: quoted-printable

<p>Anbei Rechnung und Foto vom Ger=E4t.</p>
--alt--

--mix
Content-Type: application/pdf; name="Rechnung 2026-11.pdf"
Content-Disposition: attachment; filename="Rechnung 2026-11.pdf"
Content-Transfer-Encoding: base64

""" + b64(PDF) + """
--mix
Content-Type: image/jpeg; name="=?UTF-8?Q?Ger=C3=A4t_Foto.jpg?="
Content-Disposition: attachment; filename="=?UTF-8?Q?Ger=C3=A4t_Foto.jpg?="
Content-Transfer-Encoding: base64

""" + b64(JPG) + """
--mix--
""", {"subject": "Rechnung und Foto", "text": "Anbei Rechnung und Foto vom Gerät.", "html": True,
      "attachments": [{"filename": "Rechnung 2026-11.pdf", "content_type": "application/pdf", "sha256": sha(PDF)},
                      {"filename": "Gerät Foto.jpg", "content_type": "image/jpeg", "sha256": sha(JPG)}]})

add("smime-signed", HDR + """From: Prof. Dr. Klaus Richter <klaus.richter@uni-ulm.de>
Subject: Signierte Anfrage Speicherplatz
Message-ID: <smime@uni-ulm.de>
Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="sig"

This is a cryptographically signed message in MIME format.

--sig
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: quoted-printable

Bitte erh=C3=B6hen Sie das Kontingent auf 500 GB.
--sig
Content-Type: application/pkcs7-signature; name="smime.p7s"
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename="smime.p7s"
Content-Description: S/MIME Cryptographic Signature

""" + b64(P7S) + """
--sig--
""", {"subject": "Signierte Anfrage Speicherplatz", "text": "Bitte erhöhen Sie das Kontingent auf 500 GB.",
      "attachments": [{"filename": "smime.p7s", "content_type": "application/pkcs7-signature", "sha256": sha(P7S)}]})

add("calendar-invite", HDR + """From: Anna Schmidt <anna.schmidt@uni-ulm.de>
Subject: Einladung: Besprechung Druckerumstellung
Message-ID: <cal@uni-ulm.de>
Content-Type: multipart/mixed; boundary="calmix"

--calmix
Content-Type: multipart/alternative; boundary="calalt"

--calalt
Content-Type: text/plain; charset="utf-8"

Besprechung am 3. Dezember, 10 Uhr.
--calalt
Content-Type: text/html; charset="utf-8"

<p>Besprechung am 3. Dezember, 10 Uhr.</p>
--calalt
Content-Type: text/calendar; charset="utf-8"; method=REQUEST
Content-Transfer-Encoding: base64

""" + b64(ICS) + """
--calalt--
--calmix
Content-Type: application/ics; name="invite.ics"
Content-Disposition: attachment; filename="invite.ics"
Content-Transfer-Encoding: base64

""" + b64(ICS) + """
--calmix--
""", {"subject": "Einladung: Besprechung Druckerumstellung", "text": "Besprechung am 3. Dezember, 10 Uhr.", "html": True,
      "attachments": [{"filename": "invite.ics", "content_type": "text/calendar; charset=utf-8; method=REQUEST", "sha256": sha(ICS)},
                      {"filename": "invite.ics", "content_type": "application/ics", "sha256": sha(ICS)}]})

inner = """From: Lieferant <info@lieferant.example>
To: anna.schmidt@uni-ulm.de
Subject: =?UTF-8?Q?Ihre_Bestellung_/_Lieferverz=C3=B6gerung?=
Message-ID: <inner@lieferant.example>
Date: Fri, 27 Nov 2026 14:00:00 +0100
Content-Type: text/plain; charset=utf-8

Die Lieferung verzögert sich.
"""
inner_crlf = inner.replace("\n", "\r\n").encode()
add("forwarded-rfc822", HDR + """From: Anna Schmidt <anna.schmidt@uni-ulm.de>
Subject: WG: Ihre Bestellung / Lieferverzögerung
Message-ID: <fwd@uni-ulm.de>
Content-Type: multipart/mixed; boundary="fw"

--fw
Content-Type: text/plain; charset=utf-8

Zur Info, siehe weitergeleitete Nachricht.
--fw
Content-Type: message/rfc822
Content-Disposition: attachment

""" + inner + """--fw--
""", {"subject": "WG: Ihre Bestellung / Lieferverzögerung", "text": "Zur Info, siehe weitergeleitete Nachricht.",
      "attachments": [{"filename": "Ihre Bestellung _ Lieferverzögerung.eml", "content_type": "message/rfc822", "sha256": sha(inner_crlf[:-2])}]})

add("reply-ticket", HDR + """From: Anna Schmidt <anna.schmidt@uni-ulm.de>
Subject: AW: [Ticket#2026113010000052] Drucker im Raum O27/123 druckt nicht
Message-ID: <reply1@mail.uni-ulm.de>
In-Reply-To: <20261130101500.kizdesk.52@kiz.uni-ulm.de>
References: <a1b2c3@mail.uni-ulm.de>
 <20261130101500.kizdesk.52@kiz.uni-ulm.de>
Content-Type: text/plain; charset=utf-8

Danke, geht wieder.

-----Ursprüngliche Nachricht-----
Von: Servicedesk kiz
""", {"subject": "AW: [Ticket#2026113010000052] Drucker im Raum O27/123 druckt nicht", "ticket": "2026113010000052",
      "clean_subject": "Drucker im Raum O27/123 druckt nicht",
      "in_reply_to": "20261130101500.kizdesk.52@kiz.uni-ulm.de",
      "references": ["a1b2c3@mail.uni-ulm.de", "20261130101500.kizdesk.52@kiz.uni-ulm.de"],
      "text_contains": ["Danke, geht wieder."], "attachments": []})

add("reply-chain", HDR + """From: Anna Schmidt <anna.schmidt@uni-ulm.de>
Subject: RE: WG: Fwd: AW: [Ticket#2026112710000017] Zugang Laufwerk
Message-ID: <chain@uni-ulm.de>
In-Reply-To: 20261127.kizdesk.17@kiz.uni-ulm.de
References: <x1@uni-ulm.de>,<x2@uni-ulm.de> (Kommentar) <x3@uni-ulm.de>
Content-Type: text/plain; charset=utf-8

Weitergeleitet an die Kollegin.
""", {"ticket": "2026112710000017", "clean_subject": "Zugang Laufwerk",
      "in_reply_to": "20261127.kizdesk.17@kiz.uni-ulm.de", "references": ["x1@uni-ulm.de", "x2@uni-ulm.de", "x3@uni-ulm.de"],
      "attachments": []})

add("tag-mangled-space", HDR + """From: Anna Schmidt <anna.schmidt@uni-ulm.de>
Subject: Aw: Aw: [Ticket# 2026113010000052] Drucker
Message-ID: <m1@uni-ulm.de>
Content-Type: text/plain

Noch eine Frage.
""", {"ticket": "2026113010000052", "clean_subject": "Drucker", "attachments": []})

add("tag-mangled-nobrackets", HDR + """From: Anna Schmidt <anna.schmidt@uni-ulm.de>
Subject: Antwort: ticket#2026113010000052 Drucker
Message-ID: <m2@uni-ulm.de>
Content-Type: text/plain

Lotus Notes hat die Klammern entfernt.
""", {"ticket": "2026113010000052", "clean_subject": "Drucker", "attachments": []})

add("tag-mangled-colon", HDR + """From: Anna Schmidt <anna.schmidt@uni-ulm.de>
Subject: WG: [TICKET#:2026113010000052] Drucker
Message-ID: <m3@uni-ulm.de>
Content-Type: text/plain

Mit Doppelpunkt.
""", {"ticket": "2026113010000052", "clean_subject": "Drucker", "attachments": []})

add("number-without-prefix", HDR + """From: Buchhaltung <buchhaltung@uni-ulm.de>
Subject: Rechnung 2026113010000052 und Auftrag #2026113010000052
Message-ID: <nonum@uni-ulm.de>
Content-Type: text/plain

Keine Ticketnummer, nur eine Rechnungsnummer.
""", {"ticket": "", "clean_subject": "Rechnung 2026113010000052 und Auftrag #2026113010000052", "attachments": []})

add("auto-replied", HDR + """From: Klaus Richter <klaus.richter@uni-ulm.de>
Subject: Automatische Antwort: [Ticket#2026113010000052] Drucker
Message-ID: <oof@uni-ulm.de>
Auto-Submitted: auto-replied
X-Auto-Response-Suppress: All
Content-Type: text/plain; charset=utf-8

Ich bin bis 7. Dezember nicht im Büro.
""", {"ticket": "2026113010000052", "auto": "auto-submitted", "clean_subject": "Drucker", "attachments": []})

add("precedence-bulk", HDR + """From: Newsletter Uni Ulm <newsletter@uni-ulm.de>
Subject: uni ulm intern 12/2026
Message-ID: <bulk@uni-ulm.de>
Precedence: bulk
Content-Type: text/plain; charset=utf-8

Neuigkeiten.
""", {"auto": "precedence", "attachments": []})

add("list-id", HDR + """From: Max Mustermann <max.mustermann@uni-ulm.de>
Subject: [kiz-admins] Neue Firewallregeln
Message-ID: <list@uni-ulm.de>
List-Id: kiz Administratoren <kiz-admins.lists.uni-ulm.de>
List-Unsubscribe: <mailto:kiz-admins-leave@lists.uni-ulm.de>
Content-Type: text/plain; charset=utf-8

An alle.
""", {"auto": "list", "subject": "[kiz-admins] Neue Firewallregeln", "attachments": []})

add("x-loop-own", HDR + """From: Anna Schmidt <anna.schmidt@uni-ulm.de>
Subject: [Ticket#2026113010000052] Ihre Anfrage wurde aufgenommen
Message-ID: <loop@uni-ulm.de>
X-Loop: kizdesk@kiz.uni-ulm.de
Content-Type: text/plain; charset=utf-8

Eine Weiterleitungsregel hat unsere Bestätigung zurückgeschickt.
""", {"auto": "loop", "ticket": "2026113010000052", "attachments": []})

add("own-address", HDR + """From: Servicedesk kiz <Servicedesk@uni-ulm.de>
Subject: Test an uns selbst
Message-ID: <own@uni-ulm.de>
Content-Type: text/plain; charset=utf-8

Von der eigenen Adresse.
""", {"auto": "own-address", "attachments": []})

add("mailer-daemon", HDR + """From: MAILER-DAEMON@mail.uni-ulm.de (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
Message-ID: <daemon@mail.uni-ulm.de>
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.
""", {"auto": "daemon", "from": {"name": "Mail Delivery System", "email": "MAILER-DAEMON@mail.uni-ulm.de"}, "attachments": []})

add("noreply-sender", HDR + """From: "Moodle Uni Ulm" <noreply@moodle.uni-ulm.de>
Subject: Neue Forumsbeiträge
Message-ID: <noreply@moodle.uni-ulm.de>
Content-Type: text/plain; charset=utf-8

Es gibt neue Beiträge.
""", {"auto": "daemon", "attachments": []})

orig_headers = """Return-Path: <servicedesk@uni-ulm.de>
From: Servicedesk kiz <servicedesk@uni-ulm.de>
To: ehemalig@uni-ulm.de
Subject: [Ticket#2026113010000052] Ihre Anfrage
Message-ID: <20261130101500.kizdesk.52@kiz.uni-ulm.de>
X-Loop: kizdesk@kiz.uni-ulm.de
"""
dsn_status = """Reporting-MTA: dns; mail.uni-ulm.de
X-Postfix-Queue-ID: 4ABC123
Arrival-Date: Mon, 30 Nov 2026 10:15:01 +0100

Final-Recipient: rfc822; ehemalig@uni-ulm.de
Original-Recipient: rfc822;ehemalig@uni-ulm.de
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.uni-ulm.de
Diagnostic-Code: smtp; 550 5.1.1 <ehemalig@uni-ulm.de>: Recipient address
    rejected: User unknown in virtual mailbox table

Final-Recipient: rfc822; zweiter@uni-ulm.de
Action: delayed
Status: 4.4.1
"""
add("dsn-bounce", HDR + """From: MAILER-DAEMON@mail.uni-ulm.de (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
Message-ID: <20261130091501.4ABC123@mail.uni-ulm.de>
Auto-Submitted: auto-replied
Content-Type: multipart/report; report-type=delivery-status;
	boundary="4ABC123.1764493501/mail.uni-ulm.de"

This is a MIME-encapsulated message.

--4ABC123.1764493501/mail.uni-ulm.de
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mail.uni-ulm.de.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

--4ABC123.1764493501/mail.uni-ulm.de
Content-Description: Delivery report
Content-Type: message/delivery-status

""" + dsn_status + """
--4ABC123.1764493501/mail.uni-ulm.de
Content-Description: Undelivered Message
Content-Type: message/rfc822

""" + orig_headers + """Content-Type: text/plain

Ihre Anfrage wurde aufgenommen.

--4ABC123.1764493501/mail.uni-ulm.de--
""", {"auto": "bounce", "ticket": "",
      "text_contains": ["could not\nbe delivered"],
      "bounce": {"original_message_id": "20261130101500.kizdesk.52@kiz.uni-ulm.de", "reporting_mta": "mail.uni-ulm.de",
                 "recipients": [{"recipient": "ehemalig@uni-ulm.de", "action": "failed", "status": "5.1.1",
                                 "diagnostic": "550 5.1.1 <ehemalig@uni-ulm.de>: Recipient address rejected: User unknown in virtual mailbox table"},
                                {"recipient": "zweiter@uni-ulm.de", "action": "delayed", "status": "4.4.1", "diagnostic": ""}],
                 "failed": 1},
      "attachment_names": ["delivery-status.txt", "[Ticket#2026113010000052] Ihre Anfrage.eml"]})

add("dsn-headers-only", HDR + """From: postmaster@exchange.example.org
Subject: Unzustellbar: [Ticket#2026112710000017] Passwort
Message-ID: <dsn2@exchange.example.org>
Content-Type: multipart/report; report-type="delivery-status"; boundary="dsn2"

--dsn2
Content-Type: text/plain; charset=utf-8

Die Nachricht konnte nicht zugestellt werden.
--dsn2
Content-Type: message/delivery-status

Reporting-MTA: dns;exchange.example.org

Final-Recipient: rfc822;weg@example.org
Action: failed
Status: 5.2.2
Diagnostic-Code: smtp;552 5.2.2 mailbox full

--dsn2
Content-Type: text/rfc822-headers

From: Servicedesk kiz <servicedesk@uni-ulm.de>
Message-ID: <kizdesk.17.reply@kiz.uni-ulm.de>
Subject: [Ticket#2026112710000017] Passwort
--dsn2--
""", {"auto": "bounce", "ticket": "2026112710000017",
      "bounce": {"original_message_id": "kizdesk.17.reply@kiz.uni-ulm.de", "reporting_mta": "exchange.example.org",
                 "recipients": [{"recipient": "weg@example.org", "action": "failed", "status": "5.2.2", "diagnostic": "552 5.2.2 mailbox full"}],
                 "failed": 1},
      "attachment_names": ["delivery-status.txt", "headers.txt"]})

add("no-message-id", """From: Anna Schmidt <anna.schmidt@uni-ulm.de>
To: servicedesk@uni-ulm.de
Subject: Ohne Message-ID

Ein alter Mailer ohne Message-ID, ohne Datum, ohne MIME.
""", {"message_id": "", "subject": "Ohne Message-ID", "date": "",
      "text": "Ein alter Mailer ohne Message-ID, ohne Datum, ohne MIME.\n", "attachments": []})

add("header-folding", """Date: Mon,
 30 Nov 2026 09:15:00 +0100
From: Anna
  Schmidt <anna.schmidt@uni-ulm.de>
To: servicedesk@uni-ulm.de,
	helpdesk@uni-ulm.de
Subject: Ein sehr langer Betreff, der vom Mailprogramm
 auf mehrere Zeilen
	umgebrochen wurde
Message-ID:
 <folded@uni-ulm.de>
Content-Type: text/plain;
 charset="utf-8"
Content-Transfer-Encoding:
 quoted-printable

Der Text hat eine weiche Zeilenumbruch-Fortsetzung, die zu einer Zeile =
zusammengef=C3=BCgt wird.
""", {"subject": "Ein sehr langer Betreff, der vom Mailprogramm auf mehrere Zeilen umgebrochen wurde",
      "from": {"name": "Anna Schmidt", "email": "anna.schmidt@uni-ulm.de"}, "to": ["servicedesk@uni-ulm.de", "helpdesk@uni-ulm.de"],
      "message_id": "folded@uni-ulm.de", "date": "2026-11-30T09:15:00+01:00",
      "text": "Der Text hat eine weiche Zeilenumbruch-Fortsetzung, die zu einer Zeile zusammengefügt wird.\n", "attachments": []})

addb("nul-byte", (HDR + """From: Anna Schmidt <anna.schmidt@uni-ulm.de>
Subject: NUL im Text
Message-ID: <nul@uni-ulm.de>
Content-Type: text/plain; charset=utf-8

vor\x00nach
Zeile\x00\x00 zwei
""").encode(), {"text": "vornach\nZeile zwei\n", "attachments": []})

add("broken-base64", HDR + """From: Anna Schmidt <anna.schmidt@uni-ulm.de>
Subject: Zwei Anhänge, einer kaputt
Message-ID: <brokenb64@uni-ulm.de>
Content-Type: multipart/mixed; boundary="bb"

--bb
Content-Type: text/plain; charset=utf-8

Anbei zwei Dateien.
--bb
Content-Type: application/pdf; name="kaputt.pdf"
Content-Disposition: attachment; filename="kaputt.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQK!!!das ist kein base64%%%
--bb
Content-Type: application/pdf; name="heil.pdf"
Content-Disposition: attachment; filename="heil.pdf"
Content-Transfer-Encoding: base64

""" + b64(PDF) + """
--bb--
""", {"text": "Anbei zwei Dateien.",
      "attachments": [{"filename": "kaputt.pdf", "content_type": "application/pdf", "undecoded": True,
                       "sha256": sha(b"JVBERi0xLjQK!!!das ist kein base64%%%")},
                      {"filename": "heil.pdf", "content_type": "application/pdf", "sha256": sha(PDF)}],
      "problems_contains": ["application/pdf part cannot be decoded"]})

unk = "Text in einem unbekannten Zeichensatz: Gr\xfc\xdfe und ok.\n".encode("latin-1")
addb("unknown-charset", (HDR + """From: Anna Schmidt <anna.schmidt@uni-ulm.de>
Subject: =?x-unknown-42?Q?Betreff?= Rest
Message-ID: <unk@uni-ulm.de>
Content-Type: text/plain; charset="x-unknown-42"
Content-Transfer-Encoding: 8bit

""").encode() + unk, {"text": "Text in einem unbekannten Zeichensatz: Gr\ufffd\ufffde und ok.\n",
    "subject": "=?x-unknown-42?Q?Betreff?= Rest",
    "attachments": [{"filename": "text.txt", "content_type": "text/plain; charset=x-unknown-42", "undecoded": True, "sha256": sha(unk.replace(b"\n", b"\r\n"))}],
    "problems_contains": ["unknown charset \"x-unknown-42\"", "subject cannot be decoded"]})

addb("raw-8bit-header", ("Date: Mon, 30 Nov 2026 09:15:00 +0100\nMIME-Version: 1.0\nMessage-ID: <raw8@uni-ulm.de>\nTo: servicedesk@uni-ulm.de\n").encode()
     + "From: Jörg Bäcker <joerg.baecker@uni-ulm.de>\nSubject: Kein Zugriff auf Laufwerk Ü:\n".encode("latin-1")
     + b"Content-Type: text/plain\n\nAlter Mailer.\n",
     {"subject": "Kein Zugriff auf Laufwerk Ü:", "from": {"name": "Jörg Bäcker", "email": "joerg.baecker@uni-ulm.de"},
      "text": "Alter Mailer.\n", "attachments": []})

add("lf-only-multipart", HDR + """From: Anna Schmidt <anna.schmidt@uni-ulm.de>
Subject: Nur LF
Message-ID: <lf@uni-ulm.de>
Content-Type: multipart/mixed; boundary=lfb

--lfb
Content-Type: text/plain; charset=utf-8

Zeilenenden nur LF.
--lfb
Content-Type: text/plain; charset=utf-8; name="log.txt"
Content-Disposition: attachment; filename="../../etc/log\u202etxt.exe"

Logzeile 1
--lfb--
""", {"text": "Zeilenenden nur LF.", "attachments": [{"filename": "logtxt.exe", "content_type": "text/plain; charset=utf-8", "sha256": sha(b"Logzeile 1")}]},
    crlf=False)

add("garbage-header", """Das ist keine Mail, sondern ein Textfile
ohne Header.
""", {"quarantine": "header cannot be read"})

add("multipart-no-boundary", HDR + """From: Anna Schmidt <anna.schmidt@uni-ulm.de>
Subject: Kaputter Multipart
Message-ID: <nob@uni-ulm.de>
Content-Type: multipart/mixed; boundary="nie-gesehen"

Hier kommt keine Grenze.
""", {"text": "", "attachments": [{"filename": "part.mime", "content_type": "multipart/mixed", "undecoded": True,
      "sha256": sha(b"Hier kommt keine Grenze.\r\n")}],
      "problems_contains": ["multipart/mixed without any part kept as it was"]})


add("rfc2231-latin1", HDR + """From: Anna Schmidt <anna.schmidt@uni-ulm.de>
Subject: Altes Mailprogramm
Message-ID: <r2231l1@uni-ulm.de>
Content-Type: multipart/mixed; boundary="l1"

--l1
Content-Type: text/plain; charset=iso-8859-1

Anbei.
--l1
Content-Type: application/pdf
Content-Disposition: attachment;
 filename*0*=iso-8859-1''Pr%FCfungsordnung%20;
 filename*1=Fassung-2026.pdf
Content-Transfer-Encoding: base64

""" + b64(PDF) + """
--l1
Content-Type: application/pdf; name=Rechnung M\u00e4rz 2026.pdf
Content-Transfer-Encoding: base64

""" + b64(PDF) + """
--l1--
""", {"text": "Anbei.", "attachments": [
    {"filename": "Prüfungsordnung Fassung-2026.pdf", "content_type": "application/pdf", "sha256": sha(PDF)},
    {"filename": "Rechnung März 2026.pdf", "content_type": "application/pdf", "sha256": sha(PDF)}]})

add("format-flowed", HDR + """From: Lena Vogel <lena.vogel@uni-ulm.de>
Subject: Re: Speicherplatz
Message-ID: <flowed@uni-ulm.de>
User-Agent: Mozilla Thunderbird
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: 8bit

Hallo, ich habe das Kontingent geprüft und es reicht leider nicht für 
die Messdaten aus dem Labor.

 >Das steht nicht in der Mail, sondern ist space-stuffed.

> Am 30.11.2026 schrieb der Servicedesk: Bitte nennen Sie uns die 
> benötigte Größe.
>> noch älter

-- 
Lena Vogel
""", {"text": "Hallo, ich habe das Kontingent geprüft und es reicht leider nicht für die Messdaten aus dem Labor.\n\n>Das steht nicht in der Mail, sondern ist space-stuffed.\n\n> Am 30.11.2026 schrieb der Servicedesk: Bitte nennen Sie uns die benötigte Größe.\n>> noch älter\n\n-- \nLena Vogel",
      "attachments": []})


addb("malformed-content-type", (HDR + """From: Anna Schmidt <anna.schmidt@uni-ulm.de>
Subject: Doppelter Parameter
Message-ID: <badct@uni-ulm.de>
Content-Type: text/plain; charset=iso-8859-1; charset="iso-8859-1"
Content-Transfer-Encoding: 8bit

""").encode() + "Gr\u00fc\u00dfe aus dem S\u00fcden.\n".encode("latin-1"),
    {"text": "Grüße aus dem Süden.", "attachments": []})

add("alternative-broken-plain", HDR + """From: Anna Schmidt <anna.schmidt@uni-ulm.de>
Subject: Kaputte Textversion
Message-ID: <altbroken@uni-ulm.de>
Content-Type: multipart/alternative; boundary="ab"

--ab
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64

###kein base64###
--ab
Content-Type: text/html; charset=utf-8

<p>Die HTML-Version ist <b>lesbar</b>.</p>
--ab--
""", {"text": "Die HTML-Version ist lesbar.", "html": True,
      "attachments": [{"filename": "text.txt", "content_type": "text/plain; charset=utf-8", "undecoded": True, "sha256": sha(b"###kein base64###")}],
      "problems_contains": ["text/plain part cannot be decoded"]})

P7M = bytes([0x30, 0x80, 0x06, 0x09]) + bytes(range(200))
add("smime-encrypted", HDR + """From: Prof. Dr. Klaus Richter <klaus.richter@uni-ulm.de>
Subject: Vertraulich: Zugangsdaten
Message-ID: <smimeenc@uni-ulm.de>
Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"
Content-Disposition: attachment; filename="smime.p7m"
Content-Transfer-Encoding: base64

""" + b64(P7M) + "\n", {"text": "",
    "attachments": [{"filename": "smime.p7m", "content_type": "application/pkcs7-mime; smime-type=enveloped-data", "sha256": sha(P7M)}],
    "problems_contains": ["S/MIME enveloped-data message"]})

for name, (data, crlf) in mails.items():
    if crlf:
        data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    open(os.path.join(OUT, name + ".eml"), "wb").write(data)
    if "text" in wants[name]:
        wants[name]["text"] = wants[name]["text"].rstrip("\n")
    json.dump(wants[name], open(os.path.join(OUT, name + ".want.json"), "w", encoding="utf-8"), ensure_ascii=False, indent=1)
    open(os.path.join(OUT, name + ".want.json"), "a").write("\n")
print(len(mails))

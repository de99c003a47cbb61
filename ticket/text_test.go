package ticket

import (
	"strings"
	"testing"
)

func TestCheckText(t *testing.T) {
	cases := []struct {
		name string
		s    string
		kind TextKind
		max  int
		want Code // "" = fine
	}{
		{"plain", "VPN geht nicht – Grüße", Line, 100, ""},
		{"empty is fine here", "", Line, 10, ""},
		{"NUL", "a\x00b", Lines, 100, FieldControlChars},
		{"NUL as JSON escape decoded", "x\u0000", Line, 100, FieldControlChars},
		{"bell", "a\ab", Lines, 100, FieldControlChars},
		{"DEL", "a\x7fb", Line, 100, FieldControlChars},
		{"C1", "a\u0085b", Lines, 100, FieldControlChars},
		{"noncharacter", "a\uffffb", Lines, 100, FieldControlChars},
		{"newline in a line", "a\nb", Line, 100, FieldControlChars},
		{"tab in a line", "a\tb", Line, 100, ""},
		{"newline in lines", "a\r\nb\tc", Lines, 100, ""},
		{"invalid UTF-8", "a\xffb", Lines, 100, FieldBadUTF8},
		{"cut UTF-8", "Gr\xc3", Line, 100, FieldBadUTF8},
		{"too long", strings.Repeat("ä", 6), Line, 11, FieldTooLong},
		{"just fits", strings.Repeat("ä", 5), Line, 10, ""},
	}
	for _, c := range cases {
		p, bad := CheckText(c.s, c.kind, c.max)
		if c.want == "" && bad {
			t.Errorf("%s: refused with %v", c.name, p)
		}
		if c.want != "" && (!bad || p.Code != c.want) {
			t.Errorf("%s: got %v (bad=%v), want %s", c.name, p, bad, c.want)
		}
	}
}

func TestCheckFiles(t *testing.T) {
	sha := strings.Repeat("ab", 32)
	ok := File{SHA256: sha, Name: "Anleitung.pdf", Type: "application/pdf", Size: 1000}
	many := make([]File, MaxFiles+1)
	for i := range many {
		many[i] = ok
	}
	third := ok
	third.Size = MaxFilesSize/3 + 1
	for name, c := range map[string]struct {
		files []File
		want  Code
	}{
		"none":                {nil, ""},
		"one":                 {[]File{ok}, ""},
		"at the limit":        {many[:MaxFiles], ""},
		"too many":            {many, FieldTooManyFiles},
		"one too large":       {[]File{{SHA256: sha, Name: "a", Size: MaxFileSize + 1}}, FieldFileTooLarge},
		"together too large":  {[]File{third, third, third}, FieldFilesTooBig},
		"no name":             {[]File{{SHA256: sha, Name: " "}}, FieldBadFile},
		"not a sum":           {[]File{{SHA256: "abc", Name: "a"}}, FieldBadFile},
		"upper-case sum":      {[]File{{SHA256: strings.ToUpper(sha), Name: "a"}}, FieldBadFile},
		"NUL in the name":     {[]File{{SHA256: sha, Name: "a\x00.exe"}}, FieldControlChars},
		"line break in name":  {[]File{{SHA256: sha, Name: "a\n.txt"}}, FieldControlChars},
		"negative size":       {[]File{{SHA256: sha, Name: "a", Size: -1}}, FieldBadFile},
		"invalid UTF-8 name":  {[]File{{SHA256: sha, Name: "a\xff"}}, FieldBadUTF8},
		"control in the type": {[]File{{SHA256: sha, Name: "a", Type: "text/plain\x1b"}}, FieldControlChars},
	} {
		p, bad := CheckFiles(c.files)
		if bad != (c.want != "") || p.Code != c.want {
			t.Errorf("%s: %v %v, want %q", name, p, bad, c.want)
		}
	}
}

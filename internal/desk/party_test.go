package desk_test

import (
	"strings"
	"testing"
	"time"

	"guichet/internal/desk"
)

// wantFieldError fails the test unless err is an Invalid error about field, or
// unless err is nil when field is empty.
func wantFieldError(t *testing.T, err error, field string) {
	t.Helper()
	if field == "" {
		if err != nil {
			t.Errorf("refused: %v", err)
		}
		return
	}
	e, ok := desk.AsError(err)
	switch {
	case err == nil:
		t.Errorf("accepted; want an error about %q", field)
	case !ok:
		t.Errorf("error %v is not a desk error", err)
	case e.Code != desk.Invalid || e.Field != field:
		t.Errorf("error %s/%s (%q), want invalid/%s", e.Code, e.Field, e.Message, field)
	case e.Message == "":
		t.Errorf("error about %s has no message", field)
	}
}

// check is one input of a validation rule and the field it must be refused on
// ("" when it is accepted).
type check struct {
	name  string
	input string
	field string
}

func runChecks(t *testing.T, fn func(string) error, cases []check) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantFieldError(t, fn(c.input), c.field)
		})
	}
}

func TestCheckEmail(t *testing.T) {
	runChecks(t, desk.CheckEmail, []check{
		{"a plain address is accepted", "contact@acme.example", ""},
		{"dots and plus tags are accepted", "first.last+support@sub.example.org", ""},
		{"accents are accepted", "hélène@exemple.fr", ""},
		{"an address of 254 characters is accepted", strings.Repeat("a", 64) + "@" + strings.Repeat("b", 185) + ".com", ""},
		{"empty is refused", "", "email"},
		{"over 254 characters is refused", strings.Repeat("a", 64) + "@" + strings.Repeat("b", 186) + ".com", "email"},
		{"no at sign is refused", "contact.acme.example", "email"},
		{"no local part is refused", "@acme.example", "email"},
		{"a domain without a dot is refused", "root@localhost", "email"},
		{"a display name is refused", "Fabien <contact@acme.example>", "email"},
		{"two addresses are refused", "a@acme.example,b@acme.example", "email"},
		{"a space is refused", "fabien contact@acme.example", "email"},
		{"a trailing new line is refused", "contact@acme.example\n", "email"},
		{"two at signs are refused", "contact@@acme.example", "email"},
		{"an empty domain label is refused", "contact@acme..example", "email"},
		{"HTML is refused", `"><img src=x>@acme.example`, "email"},
	})
}

func TestNormaliseEmail(t *testing.T) {
	for in, want := range map[string]string{
		"  Contact@ACME.example \n": "contact@acme.example",
		"contact@acme.example":      "contact@acme.example",
		"":                          "",
	} {
		if got := desk.NormaliseEmail(in); got != want {
			t.Errorf("NormaliseEmail(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckName(t *testing.T) {
	for _, field := range []string{"name", "title"} {
		t.Run("field "+field, func(t *testing.T) {
			runChecks(t, func(s string) error { return desk.CheckName(field, s) }, []check{
				{"a name is accepted", "Acme Industrie", ""},
				{"accents and dashes are accepted", "Acme — extranet partenaires", ""},
				{"one character is accepted", "X", ""},
				{"200 characters are accepted", strings.Repeat("é", desk.MaxNameLen), ""},
				{"surrounding spaces do not count", "  " + strings.Repeat("a", desk.MaxNameLen) + "  ", ""},
				{"empty is refused", "", field},
				{"only spaces is refused", " \t\n ", field},
				{"201 characters are refused", strings.Repeat("é", desk.MaxNameLen+1), field},
			})
		})
	}
}

func TestCheckSpaceKey(t *testing.T) {
	runChecks(t, desk.CheckSpaceKey, []check{
		{"capital letters are accepted", "ACME", ""},
		{"two characters are accepted", "AB", ""},
		{"ten characters are accepted", "ABCDEFGHIJ", ""},
		{"digits after the first letter are accepted", "SUP2", ""},
		{"empty is refused", "", "key"},
		{"one character is refused", "A", "key"},
		{"eleven characters are refused", "ABCDEFGHIJK", "key"},
		{"lower case is refused", "Acme", "key"},
		{"a leading digit is refused", "2SUP", "key"},
		{"a dash is refused", "AC-ME", "key"},
		{"a space is refused", "AC ME", "key"},
		{"an accented capital is refused", "ÉTÉ", "key"},
	})
}

func TestCheckPassword(t *testing.T) {
	runChecks(t, desk.CheckPassword, []check{
		{"ten characters are accepted", "0123456789", ""},
		{"a passphrase is accepted", "correct horse battery staple", ""},
		{"ten accented characters are accepted (counted in characters, not bytes)", strings.Repeat("é", 10), ""},
		{"1024 bytes are accepted", strings.Repeat("a", 1024), ""},
		{"empty is refused", "", "password"},
		{"nine characters are refused", "012345678", "password"},
		{"five two-byte characters are refused although they are ten bytes", strings.Repeat("é", 5), "password"},
		{"1025 bytes are refused", strings.Repeat("a", 1025), "password"},
	})
}

func TestCheckLocale(t *testing.T) {
	runChecks(t, desk.CheckLocale, []check{
		{"French is accepted", "fr", ""},
		{"English is accepted", "en", ""},
		{"empty is refused", "", "locale"},
		{"German is refused", "de", "locale"},
		{"a region is refused", "fr-FR", "locale"},
		{"upper case is refused", "FR", "locale"},
	})
}

func TestCheckOrgKind(t *testing.T) {
	runChecks(t, func(s string) error { return desk.CheckOrgKind(desk.OrgKind(s)) }, []check{
		{"provider is accepted", "provider", ""},
		{"client is accepted", "client", ""},
		{"partner is accepted", "partner", ""},
		{"empty is refused", "", "kind"},
		{"an unknown kind is refused", "supplier", "kind"},
		{"upper case is refused", "Client", "kind"},
	})
}

func TestTokenUsable(t *testing.T) {
	now := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	earlier := now.Add(-time.Hour)
	for _, c := range []struct {
		name  string
		token desk.Token
		want  bool
	}{
		{"a token before its expiry is usable", desk.Token{ExpiresAt: now.Add(time.Minute)}, true},
		{"a token at its expiry is not usable", desk.Token{ExpiresAt: now}, false},
		{"an expired token is not usable", desk.Token{ExpiresAt: now.Add(-time.Second)}, false},
		{"a revoked token is not usable", desk.Token{ExpiresAt: now.Add(time.Hour), RevokedAt: &earlier}, false},
		{"a revoked and expired token is not usable", desk.Token{ExpiresAt: earlier, RevokedAt: &earlier}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.token.Usable(now); got != c.want {
				t.Errorf("Usable = %v, want %v", got, c.want)
			}
		})
	}
}

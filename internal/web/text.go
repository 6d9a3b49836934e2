package web

// messages holds the interface's words in French and English.
var messages = map[string]map[string]string{
	"fr": {
		"login.title":    "Connexion",
		"login.email":    "Adresse e-mail",
		"login.password": "Mot de passe",
		"login.submit":   "Se connecter",
		"login.failed":   "Adresse e-mail ou mot de passe incorrect.",
		"login.limited":  "Trop de tentatives échouées ; réessayez dans quelques minutes.",
		"error.internal": "Une erreur interne est survenue ; réessayez plus tard.",
		"home.title":     "Accueil",
		"home.signedin":  "Connecté en tant que",
		"home.spaces":    "Vos espaces de support",
		"home.nospaces":  "Aucun espace pour l'instant.",
		"logout":         "Se déconnecter",
	},
	"en": {
		"login.title":    "Sign in",
		"login.email":    "Email address",
		"login.password": "Password",
		"login.submit":   "Sign in",
		"login.failed":   "Wrong email address or password.",
		"login.limited":  "Too many failed attempts; try again in a few minutes.",
		"error.internal": "An internal error occurred; try again later.",
		"home.title":     "Home",
		"home.signedin":  "Signed in as",
		"home.spaces":    "Your support spaces",
		"home.nospaces":  "No space yet.",
		"logout":         "Sign out",
	},
}

// text returns the message key in language l, falling back to English, then to
// the key itself so a missing word shows rather than breaks the page.
func text(l, key string) string {
	if s, ok := messages[l][key]; ok {
		return s
	}
	if s, ok := messages["en"][key]; ok {
		return s
	}
	return key
}

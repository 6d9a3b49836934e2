package demo

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file holds the vocabulary of the generated tickets: what a software
// publisher's support hears about, in French and in English. Texts are templates
// whose {slots} the generator fills (see expand).

// subject is a part of the product a ticket is about. art is its French definite
// article ("le", "la", "l'", "les"), from which the other forms follow.
type subject struct {
	fr, art, en string
	keywords    []string
}

var subjects = []subject{
	{"import CSV des commandes", "l'", "CSV import of orders", []string{"import", "csv"}},
	{"export PDF des factures", "l'", "PDF export of invoices", []string{"export", "pdf", "facturation"}},
	{"module facturation", "le", "billing module", []string{"facturation"}},
	{"extranet fournisseurs", "l'", "supplier extranet", []string{"extranet"}},
	{"connexion SSO", "la", "SSO login", []string{"sso", "authentification"}},
	{"tableau de bord", "le", "dashboard", []string{"tableau de bord"}},
	{"synchronisation LDAP", "la", "LDAP synchronisation", []string{"ldap", "annuaire"}},
	{"calcul des remises", "le", "discount calculation", []string{"remises", "facturation"}},
	{"relance automatique des impayés", "la", "automatic payment reminders", []string{"relances", "e-mail"}},
	{"planning des interventions", "le", "service schedule", []string{"planning"}},
	{"API REST", "l'", "REST API", []string{"api"}},
	{"portail RH", "le", "HR portal", []string{"rh", "portail"}},
	{"recherche avancée", "la", "advanced search", []string{"recherche"}},
	{"archivage des pièces jointes", "l'", "attachment archiving", []string{"archivage"}},
	{"gestion des droits", "la", "permission management", []string{"droits", "habilitations"}},
	{"module de paie", "le", "payroll module", []string{"paie"}},
	{"notifications par e-mail", "les", "e-mail notifications", []string{"e-mail", "notifications"}},
	{"application mobile", "l'", "mobile app", []string{"mobile"}},
	{"connecteur SAP", "le", "SAP connector", []string{"sap", "interface"}},
	{"moteur de workflow", "le", "workflow engine", []string{"workflow"}},
	{"éditeur de modèles", "l'", "template editor", []string{"modèles"}},
	{"clôture mensuelle", "la", "month-end closing", []string{"clôture", "comptabilité"}},
	{"import des écritures comptables", "l'", "accounting entries import", []string{"import", "comptabilité"}},
	{"export Excel des stocks", "l'", "Excel stock export", []string{"export", "excel", "stocks"}},
	{"signature électronique", "la", "e-signature", []string{"signature"}},
	{"webhooks", "les", "webhooks", []string{"webhooks", "api"}},
	{"authentification à deux facteurs", "l'", "two-factor authentication", []string{"2fa", "authentification"}},
	{"génération des bons de livraison", "la", "delivery note generation", []string{"livraison"}},
	{"page d'accueil", "la", "home page", []string{"accueil"}},
	{"rapports planifiés", "les", "scheduled reports", []string{"rapports"}},
}

// French forms of a subject: "le module", "du module", "au module".
func (s subject) def() string {
	if s.art == "l'" {
		return "l'" + s.fr
	}
	return s.art + " " + s.fr
}

func (s subject) de() string {
	switch s.art {
	case "le":
		return "du " + s.fr
	case "les":
		return "des " + s.fr
	case "l'":
		return "de l'" + s.fr
	}
	return "de la " + s.fr
}

func (s subject) a() string {
	switch s.art {
	case "le":
		return "au " + s.fr
	case "les":
		return "aux " + s.fr
	case "l'":
		return "à l'" + s.fr
	}
	return "à la " + s.fr
}

// titles by nature and language.
var titles = map[string][]string{
	"anomaly/fr": {
		"Erreur 500 sur {def}", "Lenteur importante {de} depuis la {v}", "{Def} ne fonctionne plus après la mise à jour {v}",
		"Plantage lors de l'utilisation {de}", "Données incohérentes dans {def}", "Message « Accès refusé » sur {def}",
		"Doublons créés par {def}", "Caractères accentués mal affichés dans {def}", "Timeout sur {def} en fin de mois",
		"Page blanche à l'ouverture {de}", "Erreur 403 aléatoire sur {def}", "Traitement bloqué sur {def}",
		"Montants arrondis faux dans {def}", "Lenteur {de} le lundi matin",
	},
	"anomaly/en": {
		"HTTP 500 error on {the}", "{The} very slow since {v}", "{The} broken after upgrading to {v}",
		"Crash when using {the}", "Inconsistent data in {the}", "\"Access denied\" on {the}",
		"Duplicates created by {the}", "Accented characters garbled in {the}", "Timeout on {the} at month end",
		"Blank page when opening {the}", "Random 403 errors on {the}", "{The} stuck on \"Processing\"",
	},
	"question/fr": {
		"Comment paramétrer {def} ?", "Question sur {def}", "Où trouver la documentation {de} ?",
		"Peut-on limiter l'accès {a} certains utilisateurs ?", "Différence de comportement {de} entre recette et production",
		"Procédure de mise à jour vers la {v}", "Droits nécessaires pour utiliser {def}", "Formation sur {def}",
	},
	"question/en": {
		"How do I configure {the}?", "Question about {the}", "Where is the documentation for {the}?",
		"Can access to {the} be limited to some users?", "Upgrade procedure to {v}", "Permissions needed for {the}",
	},
	"evolution/fr": {
		"Ajouter un filtre par date dans {def}", "Pouvoir exporter {def} au format Excel", "Demande d'évolution : {n}",
		"Historique des modifications dans {def}", "Traduire {def} en allemand", "Ajouter un champ personnalisé {a}",
		"Recevoir une alerte e-mail depuis {def}", "Rendre {def} utilisable sur tablette",
	},
	"evolution/en": {
		"Add a date filter to {the}", "Export {the} to Excel", "Feature request: {n}", "Change history in {the}",
		"Translate {the} into German", "Custom field in {the}", "E-mail alerts from {the}",
	},
	"security/fr": {
		"Faille XSS possible dans {def}", "Mots de passe visibles dans les journaux {de}", "Session non expirée sur {def}",
		"Injection SQL suspectée dans {def}", "Certificat TLS expiré sur {def}", "Accès à des données d'un autre client via {def}",
	},
	"security/en": {
		"Possible XSS in {the}", "Passwords visible in the logs of {the}", "Session never expires on {the}",
		"Suspected SQL injection in {the}", "Expired TLS certificate on {the}", "Another customer's data visible through {the}",
	},
}

// Description parts, by language: an opening, the context, details by nature,
// steps, impact and a signature.
var (
	greetings = map[string][]string{
		"fr": {"Bonjour,", "Bonjour à tous,", "Bonjour l'équipe support,", "Bonjour {agent},"},
		"en": {"Hello,", "Hi all,", "Hello support team,", "Hi {agent},"},
	}
	contexts = map[string][]string{
		"fr": {
			"Depuis {day}, nos utilisateurs constatent un problème sur {def}.",
			"Depuis la mise à jour en {v}, {def} ne se comporte plus comme avant.",
			"Nous rencontrons régulièrement une difficulté en utilisant {def}.",
			"Plusieurs collègues du service comptabilité nous remontent un souci avec {def}.",
			"Suite à notre migration de serveur, {def} pose problème.",
		},
		"en": {
			"Since {day}, our users have had a problem with {the}.",
			"Since the upgrade to {v}, {the} no longer behaves as before.",
			"We regularly run into trouble when using {the}.",
			"Several people in accounting report an issue with {the}.",
			"Since we moved to a new server, {the} causes trouble.",
		},
	}
	details = map[string][]string{
		"anomaly/fr": {
			"Le message affiché est : `{err}`.", "Le traitement dure plus de {nb} minutes alors qu'il prenait quelques secondes.",
			"Le problème survient uniquement avec Firefox.", "Cela se produit environ une fois sur trois.",
			"Les fichiers de plus de {nb} Mo sont rejetés sans message.", "Le total affiché ne correspond pas à la somme des lignes.",
		},
		"anomaly/en": {
			"The message shown is: `{err}`.", "It takes more than {nb} minutes where it used to take seconds.",
			"It only happens with Firefox.", "It happens about one time in three.",
			"Files over {nb} MB are rejected without a message.", "The total shown does not match the sum of the lines.",
		},
		"question/fr": {
			"Nous souhaiterions savoir s'il est possible de paramétrer {def} par site.",
			"La documentation ne précise pas ce point pour la {v}.",
			"Un nouvel arrivant doit pouvoir utiliser {def} dès lundi.",
			"Faut-il un rôle particulier pour accéder {a} ?",
		},
		"question/en": {
			"We would like to know whether {the} can be set up per site.",
			"The documentation does not say for version {v}.",
			"A new colleague needs to use {the} from Monday.",
			"Is a particular role needed to use {the}?",
		},
		"evolution/fr": {
			"Aujourd'hui nous devons ressaisir les données à la main, ce qui prend {nb} heures par mois.",
			"Cette fonction existe chez un autre éditeur et nos équipes la réclament.",
			"Ce serait utile pour nos {nb} utilisateurs de l'agence de Lyon.",
		},
		"evolution/en": {
			"Today we type the data again by hand, which takes {nb} hours a month.",
			"Another vendor has this feature and our teams keep asking for it.",
			"It would help our {nb} users at the Lyon office.",
		},
		"security/fr": {
			"Un audit de sécurité mandaté par notre DSI l'a relevé la semaine dernière.",
			"Nous avons constaté ce comportement en testant avec un compte sans droits.",
			"Merci de traiter ce point en priorité, notre RSSI est en copie.",
		},
		"security/en": {
			"A security audit ordered by our IT department found it last week.",
			"We saw this while testing with an account without permissions.",
			"Please treat this as a priority; our security officer is in copy.",
		},
	}
	steps = map[string][]string{
		"fr": {
			"Étapes pour reproduire :\n\n1. Se connecter à l'extranet\n2. Ouvrir {def}\n3. Lancer le traitement\n4. Constater l'erreur",
			"Pour reproduire :\n\n1. Choisir la société « {company} »\n2. Aller dans {def}\n3. Valider le formulaire",
		},
		"en": {
			"Steps to reproduce:\n\n1. Sign in to the extranet\n2. Open {the}\n3. Start the job\n4. See the error",
			"To reproduce:\n\n1. Pick the company \"{company}\"\n2. Go to {the}\n3. Submit the form",
		},
	}
	impacts = map[string][]string{
		"fr": {"C'est bloquant pour la clôture du mois.", "Nous avons un contournement mais il est très pénible.",
			"Une vingtaine d'utilisateurs sont concernés.", "Ce n'est pas urgent mais assez gênant au quotidien.",
			"**Toute la production est arrêtée.**"},
		"en": {"It blocks our month-end closing.", "We have a workaround but it is painful.",
			"About twenty users are affected.", "Not urgent, but annoying every day.", "**Production is down.**"},
	}
	signatures = map[string][]string{
		"fr": {"Merci d'avance,\n{me}", "Cordialement,\n{me}", "Bonne journée,\n{me}"},
		"en": {"Thanks in advance,\n{me}", "Best regards,\n{me}", "Thanks,\n{me}"},
	}
	errorMessages = []string{
		"java.lang.NullPointerException", "ORA-01555: snapshot too old", "504 Gateway Timeout",
		"Internal Server Error", "Le fichier n'est pas au format attendu (ligne 42)", "Connection reset by peer",
		"SAML response signature is invalid", "Cannot allocate memory", "Deadlock found when trying to get lock",
		"SQLSTATE[23000]: Integrity constraint violation", "TypeError: cannot read properties of undefined",
	}
	weekdays = map[string][]string{
		"fr": {"lundi", "mardi", "mercredi", "jeudi", "vendredi", "ce matin", "hier", "la semaine dernière"},
		"en": {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "this morning", "yesterday", "last week"},
	}
)

// Comments, by who writes them and why, and language.
var comments = map[string][]string{
	"ask/fr": {
		"Bonjour {client},\n\nPouvez-vous nous transmettre le fichier status.xml de votre plateforme ainsi que l'heure exacte de l'erreur ?",
		"Merci de nous indiquer le navigateur utilisé et la version exacte installée ({v} ?).",
		"Pouvez-vous nous envoyer un exemple de fichier qui pose problème ?",
		"Nous n'arrivons pas à reproduire le problème : pouvez-vous nous donner un jeu de données ?",
		"Pouvez-vous préciser combien d'utilisateurs sont concernés et depuis quand ?",
	},
	"ask/en": {
		"Hello {client},\n\nCould you send us your platform's status.xml file and the exact time of the error?",
		"Which browser do you use, and which exact version is installed ({v}?)?",
		"Could you send us a sample file that shows the problem?",
		"We cannot reproduce it: could you give us a data set?",
		"How many users are affected, and since when?",
	},
	"reply/fr": {
		"Voici le fichier demandé.", "L'erreur est survenue ce matin vers 10 h 15.",
		"Nous utilisons Chrome 131 sur Windows 11.", "Je vous joins le fichier status.xml.",
		"Une quinzaine de personnes, depuis la mise à jour de {day}.", "Le problème se produit aussi sur le site de Nantes.",
	},
	"reply/en": {
		"Here is the file you asked for.", "The error happened this morning around 10:15.",
		"We use Chrome 131 on Windows 11.", "Please find the status.xml file attached.",
		"About fifteen people, since the upgrade on {day}.", "It also happens at the Nantes site.",
	},
	"staff/fr": {
		"Nous analysons le problème et revenons vers vous rapidement.",
		"Le problème est reproduit, il est transmis à notre équipe R&D.",
		"Un correctif est prévu dans la {v2}.",
		"Contournement possible : vider le cache du navigateur puis relancer {def}.",
		"Merci pour ces éléments, nous les étudions.",
		"Nous avons identifié la cause : un paramètre de {def} était mal renseigné.",
	},
	"staff/en": {
		"We are looking into it and will come back to you shortly.",
		"We reproduced the problem and passed it on to our R&D team.",
		"A fix is planned in {v2}.",
		"Workaround: clear the browser cache, then run {the} again.",
		"Thank you, we are studying this.",
		"We found the cause: a setting of {the} was wrong.",
	},
	"solve/fr": {
		"La correction est disponible dans la {v2}. Pouvez-vous confirmer que tout fonctionne ?",
		"Le paramétrage a été corrigé de notre côté, pouvez-vous vérifier ?",
		"Vous trouverez la réponse dans la documentation, section « {n} ». Nous proposons de clore ce ticket.",
		"Le contournement décrit plus haut devrait suffire en attendant la {v2}.",
	},
	"solve/en": {
		"The fix is in {v2}. Could you confirm that everything works?",
		"We corrected the settings on our side; could you check?",
		"The documentation covers this in the \"{n}\" section. We suggest closing this ticket.",
		"The workaround above should do until {v2}.",
	},
	"private/fr": {
		"Reproduit en recette sur la {v}. Ticket R&D {rd} créé.",
		"Client sensible, voir avec le chef de projet avant de répondre.",
		"Probablement lié à {rd}. À surveiller.",
		"Le client a un paramétrage spécifique (multi-sociétés).",
		"Logs serveur : `{err}`",
		"{agent}, peux-tu regarder ? Je suis en congés demain.",
	},
	"private/en": {
		"Reproduced on staging with {v}. R&D issue {rd} opened.",
		"Sensitive customer: check with the project manager before answering.",
		"Probably related to {rd}. Keep an eye on it.",
		"This customer has a specific multi-company setup.",
		"Server logs: `{err}`",
		"{agent}, could you have a look? I am off tomorrow.",
	},
	"client/fr": {
		"Merci pour votre retour rapide.", "Le problème est toujours présent chez nous.",
		"Avez-vous une date de livraison pour le correctif ?", "Est-ce que ce sujet avance ?",
		"Je confirme que le contournement fonctionne.", "Mon collègue {me} suit aussi ce ticket.",
	},
	"client/en": {
		"Thank you for the quick answer.", "The problem is still there on our side.",
		"Do you have a date for the fix?", "Any progress on this?",
		"I confirm the workaround works.", "My colleague {me} follows this ticket too.",
	},
	"rating/fr": {"Très bonne réactivité, merci.", "Résolu mais un peu long.", "Parfait.", "Réponse claire."},
	"rating/en": {"Very responsive, thanks.", "Solved, but it took a while.", "Perfect.", "Clear answer."},
	"decline/fr": {"Cette demande ne correspond pas à la feuille de route du produit.",
		"Idée intéressante, mais elle ne concerne qu'un client ; nous ne la retenons pas pour l'instant."},
	"decline/en": {"This request does not fit the product roadmap.",
		"An interesting idea, but it concerns one customer only; we are not taking it for now."},
}

// categories by nature.
var categories = map[string][]string{
	"anomaly":   {"Fonctionnel", "Technique", "Performance", "Interface"},
	"question":  {"Paramétrage", "Utilisation", "Installation"},
	"evolution": {"Évolution fonctionnelle", "Ergonomie"},
	"security":  {"Sécurité"},
}

// versions are the product's releases, oldest first; tickets cite the ones out
// when they were written.
var versions = []string{"4.8.2", "4.9.0", "4.9.3", "5.0.0", "5.0.4", "5.1.0", "5.1.2", "5.1.3", "5.2.0", "5.2.1", "5.3.0"}

// stackTraces are log excerpts pasted in anomalies.
var stackTraces = []string{
	"java.lang.NullPointerException: Cannot invoke \"Invoice.getLines()\" because \"invoice\" is null\n" +
		"\tat com.vauban.billing.InvoiceService.export(InvoiceService.java:214)\n" +
		"\tat com.vauban.billing.PdfExporter.run(PdfExporter.java:88)\n" +
		"\tat java.base/java.lang.Thread.run(Thread.java:1583)",
	"2026-03-14 08:12:44,201 ERROR [import-worker-3] CsvImporter - line 42: unexpected column count (11, expected 12)\n" +
		"2026-03-14 08:12:44,207 ERROR [import-worker-3] CsvImporter - import aborted, 0 rows committed",
	"org.hibernate.exception.LockAcquisitionException: could not execute statement\n" +
		"Caused by: java.sql.SQLException: Deadlock found when trying to get lock; try restarting transaction",
	"SAMLException: Response signature is invalid\n\tat org.opensaml.saml2.core.Response.validate(Response.java:301)",
	"PHP Fatal error:  Allowed memory size of 134217728 bytes exhausted (tried to allocate 20480 bytes) in /var/www/extranet/lib/Report.php on line 512",
}

// expand fills a template's {slots} from fill; unknown slots stay as they are.
func expand(sb *strings.Builder, tpl string, fill func(slot string) string) {
	for {
		i := strings.IndexByte(tpl, '{')
		if i < 0 {
			sb.WriteString(tpl)
			return
		}
		j := strings.IndexByte(tpl[i:], '}')
		if j < 0 {
			sb.WriteString(tpl)
			return
		}
		sb.WriteString(tpl[:i])
		sb.WriteString(fill(tpl[i+1 : i+j]))
		tpl = tpl[i+j+1:]
	}
}

// capitalise upper-cases the first letter of s.
func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError || unicode.IsUpper(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// pick returns one element of list at random.
func pick[T any](rng *rand.Rand, list []T) T { return list[rng.IntN(len(list))] }

// itoa is strconv.Itoa for the templates.
func itoa(n int) string { return strconv.Itoa(n) }

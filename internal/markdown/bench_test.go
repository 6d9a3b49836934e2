package markdown

import (
	"strconv"
	"strings"
	"testing"
)

// description is a long ticket description: headings, lists, a log in a code
// block, a table-like paragraph and links, as clients write them.
var description = "## Contexte\n\nDepuis la mise à jour **5.2.1** du 14 novembre, l'import CSV des commandes " +
	"échoue sur le serveur de production (le serveur de recette fonctionne).\n\n" +
	"## Étapes\n\n1. ouvrir *Commandes > Import*\n2. choisir le fichier `commandes-2026-11.csv` (3 412 lignes)\n" +
	"3. valider : l'écran reste blanc puis affiche « Erreur 500 »\n\n## Journal\n\n```\n" +
	strings.Repeat("2026-11-14 09:12:03 ERROR ImportService - java.lang.NullPointerException at com.vauban.import.Csv.parse(Csv.java:212)\n", 12) +
	"```\n\nVoir aussi [la documentation de l'import](https://docs.example.com/import) et le ticket ACME-8112.\n\n" +
	"> Urgent : la clôture mensuelle est le 30.\n\n- impact : 40 utilisateurs\n- contournement : saisie manuelle\n"

// BenchmarkHTMLDescription renders and sanitises a long description, uncached.
func BenchmarkHTMLDescription(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(description)))
	for b.Loop() {
		render(description)
	}
}

// BenchmarkHTMLCommentPage is what a page of 50 distinct comments costs the first
// time it is read: each body rendered once through the cache, which misses.
func BenchmarkHTMLCommentPage(b *testing.B) {
	bodies := make([]string, 50)
	for i := range bodies {
		bodies[i] = "Bonjour,\n\nle correctif **5.2." + strconv.Itoa(i) + "** règle le problème ; voir `status.xml` et " +
			"[la note de version](https://example.com/notes)."
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		for _, body := range bodies {
			// A new text each time, so that the cache never answers.
			HTML(body + strconv.Itoa(n))
		}
		n++
	}
}

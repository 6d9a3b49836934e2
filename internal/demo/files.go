package demo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
)

// file is a small generated attachment. The generated tickets share a handful of
// them: attachments are stored by content, so each is stored once.
type file struct {
	name, contentType string
	data              []byte
	sha256            string
}

func newFile(name, contentType string, data []byte) file {
	sum := sha256.Sum256(data)
	return file{name: name, contentType: contentType, data: data, sha256: hex.EncodeToString(sum[:])}
}

// demoFiles returns the diagnostic files (status.xml, one per product version
// cited) and a few other attachments: a screenshot, a CSV extract, a log.
func demoFiles() (diagnostics []file, others []file) {
	for i, v := range []string{"4.9.3", "5.0.4", "5.1.3", "5.2.1", "5.3.0"} {
		xml := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<status generated="2026-11-0%dT08:00:00Z">
  <platform name="Vauban Suite" version="%s" edition="entreprise"/>
  <server os="Linux 6.1" jvm="21.0.%d" memory-mb="%d" uptime-days="%d"/>
  <database engine="PostgreSQL" version="1%d.4" size-mb="%d"/>
  <modules>
    <module name="facturation" version="%s.%d"/>
    <module name="paie" version="3.%d.0"/>
    <module name="extranet" version="2.%d.1"/>
  </modules>
  <health checks="12" failed="%d"/>
</status>
`, i+1, v, 3+i, 4096*(1+i%2), 11+7*i, 3+i%3, 1200+340*i, v, i, 1+i, 4+i, i%2)
		diagnostics = append(diagnostics, newFile("status.xml", "application/xml", []byte(xml)))
	}
	others = append(others, newFile("capture.png", "image/png", screenshot()))
	var csv strings.Builder
	csv.WriteString("numero;date;client;montant_ht;tva;statut\n")
	for i := range 40 {
		fmt.Fprintf(&csv, "F2026-%05d;2026-03-%02d;CLIENT-%03d;%d,%02d;20;%s\n", 1000+i, 1+i%28, 7*i%97,
			100+37*i, (13*i)%100, []string{"emise", "payee", "relancee"}[i%3])
	}
	others = append(others, newFile("export.csv", "text/csv", []byte(csv.String())))
	others = append(others, newFile("erreur.log", "text/plain", []byte(strings.Join(stackTraces, "\n\n")+"\n")))
	return diagnostics, others
}

// screenshot draws a tiny fake window: a title bar, a form and a red error banner.
func screenshot() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 160, 100))
	fill := func(x0, y0, x1, y1 int, c color.RGBA) {
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				img.SetRGBA(x, y, c)
			}
		}
	}
	fill(0, 0, 160, 100, color.RGBA{245, 245, 245, 255})
	fill(0, 0, 160, 14, color.RGBA{40, 70, 140, 255})
	for i := range 4 {
		fill(10, 22+12*i, 100, 30+12*i, color.RGBA{255, 255, 255, 255})
	}
	fill(10, 74, 150, 90, color.RGBA{200, 40, 40, 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic("demo: screenshot: " + err.Error()) // encoding to memory does not fail
	}
	return buf.Bytes()
}

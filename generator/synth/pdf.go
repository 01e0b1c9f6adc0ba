package synth

import (
	"strconv"
	"strings"
	"time"
)

// appendPDF appends a one-page PDF 1.4 file showing the document's title and
// metadata in Helvetica. It is templated byte by byte, with the cross-reference
// table's offsets counted as the objects are written, so that 100,000 files
// take well under a second of CPU. The stream is uncompressed, which keeps
// each file near 1 KB and its text searchable.
func appendPDF(b, scratch []byte, p *portal, d *document) (out, scratchOut []byte) {
	// The page's content stream: one text object, each line moved down by
	// the leading (TL) and shown with the ' operator.
	s := append(scratch[:0], "BT\n72 740 Td\n"...)
	size := 0
	font := func(pt int) {
		if pt != size {
			s = append(s, "/F1 "...)
			s = strconv.AppendInt(s, int64(pt), 10)
			s = append(s, " Tf "...)
			s = strconv.AppendInt(s, int64(pt+pt/2), 10)
			s = append(s, " TL\n"...)
			size = pt
		}
	}
	line := func(pt int, text string) {
		font(pt)
		s = append(s, '(')
		s = appendPDFString(s, text)
		s = append(s, ") '\n"...)
	}
	for _, l := range wrap(d.title, 48) {
		line(18, l)
	}
	line(11, "")
	line(11, "Fabrikam Service Trust Portal - "+kindName(d.kind))
	line(11, "Version "+d.version+", published "+d.published.Format(time.DateOnly))
	if d.kind == "compliance-report" {
		line(11, "Audit period "+d.auditFrom.Format(time.DateOnly)+" to "+d.audit.Format(time.DateOnly))
	}
	if len(d.standards) > 0 {
		names := make([]string, len(d.standards))
		for i, j := range d.standards {
			names[i] = p.standards[j].name
		}
		line(11, "Standards: "+strings.Join(names, ", "))
	}
	line(10, "")
	for _, l := range wrap(d.summary, 90) {
		line(10, l)
	}
	line(8, "")
	line(8, "Synthetic test data written by STP; not a real audit report.")
	s = append(s, "ET\n"...)
	stream := s

	start := len(b)
	var offsets [6]int
	obj := func(n int) {
		offsets[n-1] = len(b) - start
		b = strconv.AppendInt(b, int64(n), 10)
		b = append(b, " 0 obj\n"...)
	}
	b = append(b, "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"...)
	obj(1)
	b = append(b, "<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"...)
	obj(2)
	b = append(b, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"...)
	obj(3)
	b = append(b, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>\nendobj\n"...)
	obj(4)
	b = append(b, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>\nendobj\n"...)
	obj(5)
	b = append(b, "<< /Length "...)
	b = strconv.AppendInt(b, int64(len(stream)), 10)
	b = append(b, " >>\nstream\n"...)
	b = append(b, stream...)
	b = append(b, "endstream\nendobj\n"...)
	obj(6)
	b = append(b, "<< /Title ("...)
	b = appendPDFString(b, d.title)
	b = append(b, ") /Producer (STP synth) /CreationDate (D:"...)
	b = d.published.AppendFormat(b, "20060102")
	b = append(b, "000000Z) >>\nendobj\n"...)

	xref := len(b) - start
	b = append(b, "xref\n0 7\n0000000000 65535 f \n"...)
	for _, off := range offsets {
		b = appendPadded(b, off)
		b = append(b, " 00000 n \n"...)
	}
	b = append(b, "trailer\n<< /Size 7 /Root 1 0 R /Info 6 0 R >>\nstartxref\n"...)
	b = strconv.AppendInt(b, int64(xref), 10)
	b = append(b, "\n%%EOF\n"...)
	return b, s
}

func kindName(kind string) string {
	if kind == "compliance-report" {
		return "Compliance report"
	}
	return "Trust document"
}

// appendPadded appends n as the ten digits a cross-reference entry needs.
func appendPadded(b []byte, n int) []byte {
	var d [10]byte
	for i := 9; i >= 0; i-- {
		d[i] = byte('0' + n%10)
		n /= 10
	}
	return append(b, d[:]...)
}

// appendPDFString appends text as the inside of a PDF literal string.
// Anything outside printable ASCII becomes '?', which the vocabulary never
// needs.
func appendPDFString(b []byte, text string) []byte {
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '(' || c == ')' || c == '\\':
			b = append(b, '\\', c)
		case c < ' ' || c > '~':
			b = append(b, '?')
		default:
			b = append(b, c)
		}
	}
	return b
}

// wrap breaks text into lines of at most width bytes at spaces.
func wrap(text string, width int) []string {
	var lines []string
	for len(text) > width {
		cut := strings.LastIndexByte(text[:width+1], ' ')
		if cut <= 0 {
			cut = width
		}
		lines = append(lines, text[:cut])
		text = strings.TrimLeft(text[cut:], " ")
	}
	return append(lines, text)
}

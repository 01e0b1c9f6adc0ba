package serve

import (
	"path"
	"strings"
	"unicode/utf8"
)

// contentTypes is set explicitly rather than taken from the system's MIME
// tables, which differ between hosts (a PDF served as text/plain is the
// "corrupted download" readers complain about).
var contentTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".json":        "application/json",
	".map":         "application/json",
	".xml":         "application/xml",
	".txt":         "text/plain; charset=utf-8",
	".md":          "text/markdown; charset=utf-8",
	".csv":         "text/csv; charset=utf-8",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".jpg":         "image/jpeg",
	".jpeg":        "image/jpeg",
	".gif":         "image/gif",
	".webp":        "image/webp",
	".avif":        "image/avif",
	".ico":         "image/x-icon",
	".woff":        "font/woff",
	".woff2":       "font/woff2",
	".ttf":         "font/ttf",
	".otf":         "font/otf",
	".wasm":        "application/wasm",
	".pdf":         "application/pdf",
	".zip":         "application/zip",
	".gz":          "application/gzip",
	".docx":        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xlsx":        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".pptx":        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".doc":         "application/msword",
	".xls":         "application/vnd.ms-excel",
	".webmanifest": "application/manifest+json",
}

// ContentType returns the Content-Type for a site path. Feeds named feed.xml
// are Atom; anything unknown is application/octet-stream, which together with
// nosniff stops a browser from guessing.
func ContentType(name string) string {
	if path.Base(name) == "feed.xml" {
		return "application/atom+xml; charset=utf-8"
	}
	if t, ok := contentTypes[strings.ToLower(path.Ext(name))]; ok {
		return t
	}
	return "application/octet-stream"
}

// ContentDisposition returns an attachment header for a download named name,
// following RFC 6266: a quoted ASCII filename for old clients and, when the
// name is not plain ASCII, an RFC 5987 filename* with the UTF-8 name.
func ContentDisposition(name string) string {
	if !utf8.ValidString(name) {
		name = strings.ToValidUTF8(name, "_")
	}
	var ascii strings.Builder
	plain := true
	for _, r := range name {
		switch {
		case r < 0x20 || r == 0x7f:
			ascii.WriteByte('_')
			plain = false
		case r == '"' || r == '\\':
			// Quoted-string escapes are handled inconsistently by
			// browsers, so the fallback name avoids them.
			ascii.WriteByte('_')
			plain = false
		case r >= 0x80:
			ascii.WriteByte('_')
			plain = false
		default:
			ascii.WriteRune(r)
		}
	}
	v := `attachment; filename="` + ascii.String() + `"`
	if !plain {
		v += "; filename*=UTF-8''" + encodeRFC5987(name)
	}
	return v
}

// encodeRFC5987 percent-encodes everything but RFC 5987's attr-char.
func encodeRFC5987(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAttrChar(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func isAttrChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", c) >= 0
}

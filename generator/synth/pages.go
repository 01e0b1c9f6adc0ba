package synth

// pages are the Markdown pages of content/, by file name.
var pages = []struct{ name, text string }{
	{"index.md", `---
title: Home
description: Audit reports, certificates and trust documents for Fabrikam cloud services.
---
Fabrikam publishes the independent audit reports, certificates and
attestations of its cloud services here, together with whitepapers and
guides on how those services protect your data.

- **Compliance reports**: SOC 1, SOC 2 and SOC 3 reports, ISO/IEC 27001,
  27017, 27018 and 27701 certificates, FedRAMP, PCI DSS, C5, IRAP and more.
- **Trust documents**: penetration test summaries, data protection and
  business continuity whitepapers, shared responsibility matrices.

Choose your regions and industries under Settings to see what applies to
you first. Documents published or updated in the last 30 days are marked
new.
`},
	{"getting-started.md", `---
title: Getting started
description: How to sign in, choose your regions and industries, and download documents.
public: true
menu: 10
---
## Sign in

Sign in with your organisation's work account. Your administrator grants
access by assigning you the Portal User role; if you see "you do not have
permission", ask them or write to trust@fabrikam.example.

## Choose what matters to you

Open **Settings**, tick the regions where you run workloads and the
industries you work in, and save. The home page and every list then show
the documents that apply to your choice first. Your choice stays in this
browser; each choice also has its own address you can share.

## Find and download a document

Browse the **Compliance Reports** and **Trust Documents** libraries, or
search by name, standard or topic. Each document page shows the current
version, its audit period, its size and SHA-256 checksum, and the earlier
versions still available.
`},
	{"faq.md", `---
title: Frequently asked questions
description: Answers about access, retention, versions and document use.
public: true
menu: 20
---
## How long are documents available?

A document stays available for at least twelve months after it is
published, or until a newer version replaces it. Earlier versions are
listed under **All versions** while they are retained.

## Can I share a report with my auditors?

Compliance reports are confidential. Share them only under the terms you
downloaded them under, for example with your own auditors and regulators.

## How do I hear about new reports?

Subscribe to the Atom feed linked on the home page; it lists new and
updated documents.

## The file I downloaded will not open

Downloads are the original PDF files. If one does not open, download it
again and compare its SHA-256 checksum with the one on the document page.
`},
}

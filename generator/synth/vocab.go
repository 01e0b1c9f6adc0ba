package synth

// The vocabulary of the synthetic portal: real standards and realistic
// regions, industries and services, with the words compliance reports and
// trust documents are written in. Everything here is ASCII so that titles go
// into the PDFs' standard fonts unchanged.

// term is one entry of a taxonomy as catalog.yaml writes it.
type term struct {
	id, name, group, description string
}

var regionTerms = []term{
	{id: "north-america", name: "North America", description: "Datacenters in the United States and Canada."},
	{id: "europe", name: "Europe", description: "Datacenters in the European Union and the European Economic Area."},
	{id: "asia-pacific", name: "Asia Pacific", description: "Datacenters across East and Southeast Asia."},
	{id: "united-kingdom", name: "United Kingdom", description: "Datacenters in London and Cardiff."},
	{id: "japan", name: "Japan", description: "Datacenters in Tokyo and Osaka."},
	{id: "australia", name: "Australia", description: "Datacenters in Sydney, Melbourne and Canberra."},
	{id: "germany", name: "Germany", description: "Datacenters in Frankfurt and Berlin operated under German data protection law."},
	{id: "south-america", name: "South America", description: "Datacenters in Brazil and Chile."},
	{id: "india", name: "India", description: "Datacenters in Mumbai, Pune and Chennai."},
	{id: "korea", name: "Korea", description: "Datacenters in Seoul and Busan."},
	{id: "singapore", name: "Singapore", description: "Datacenters in Singapore."},
	{id: "canada", name: "Canada", description: "Datacenters in Toronto and Quebec City."},
	{id: "france", name: "France", description: "Datacenters in Paris and Marseille."},
	{id: "spain", name: "Spain", description: "Datacenters in Madrid."},
	{id: "middle-east", name: "Middle East", description: "Datacenters in Qatar, Israel and Saudi Arabia."},
	{id: "africa", name: "Africa", description: "Datacenters in Johannesburg, Cape Town and Nairobi."},
	{id: "brazil", name: "Brazil", description: "Datacenters in Sao Paulo and Rio de Janeiro."},
	{id: "switzerland", name: "Switzerland", description: "Datacenters in Zurich and Geneva."},
	{id: "nordics", name: "Nordics", description: "Datacenters in Sweden, Norway, Denmark and Finland."},
	{id: "new-zealand", name: "New Zealand", description: "Datacenters in Auckland."},
	{id: "mexico", name: "Mexico", description: "Datacenters in Queretaro."},
	{id: "united-arab-emirates", name: "United Arab Emirates", description: "Datacenters in Dubai and Abu Dhabi."},
	{id: "italy", name: "Italy", description: "Datacenters in Milan."},
	{id: "poland", name: "Poland", description: "Datacenters in Warsaw."},
}

var industryTerms = []term{
	{id: "financial-services", name: "Financial Services", description: "Banks, capital markets, payment providers and fintech."},
	{id: "healthcare", name: "Healthcare", description: "Hospitals, clinics, payers and health technology providers."},
	{id: "government", name: "Government", description: "Federal, state and local government agencies."},
	{id: "education", name: "Education", description: "Schools, universities and education technology."},
	{id: "manufacturing", name: "Manufacturing", description: "Discrete and process manufacturing and industrial IoT."},
	{id: "retail", name: "Retail", description: "Retailers, e-commerce and consumer goods."},
	{id: "telecommunications", name: "Telecommunications", description: "Carriers, network operators and communication service providers."},
	{id: "energy", name: "Energy", description: "Oil and gas, renewables and power generation."},
	{id: "life-sciences", name: "Life Sciences", description: "Pharmaceuticals, biotechnology and medical devices."},
	{id: "media-and-entertainment", name: "Media and Entertainment", description: "Broadcasters, studios, publishers and streaming services."},
	{id: "nonprofit", name: "Nonprofit", description: "Charities, foundations and non-governmental organisations."},
	{id: "insurance", name: "Insurance", description: "Life, property and casualty insurers and brokers."},
	{id: "automotive", name: "Automotive", description: "Vehicle makers and their suppliers."},
	{id: "transportation-and-logistics", name: "Transportation and Logistics", description: "Airlines, shipping, rail and logistics providers."},
	{id: "hospitality", name: "Hospitality", description: "Hotels, travel and food service."},
	{id: "legal", name: "Legal", description: "Law firms and legal services."},
	{id: "defense", name: "Defense", description: "Defense agencies and the defense industrial base."},
	{id: "professional-services", name: "Professional Services", description: "Consulting, accounting and advisory firms."},
	{id: "aerospace", name: "Aerospace", description: "Aircraft, space and satellite companies."},
	{id: "utilities", name: "Utilities", description: "Water, gas and electricity distribution."},
	{id: "agriculture", name: "Agriculture", description: "Farming, food production and agritech."},
	{id: "real-estate", name: "Real Estate", description: "Property management, construction and smart buildings."},
	{id: "gaming", name: "Gaming", description: "Game studios, publishers and online gaming platforms."},
	{id: "public-safety", name: "Public Safety", description: "Police, fire, emergency services and justice."},
}

var serviceTerms = []term{
	{id: "compute", name: "Fabrikam Compute", description: "Virtual machines, containers and serverless functions."},
	{id: "storage", name: "Fabrikam Storage", description: "Object, file and block storage with geo-redundant replication."},
	{id: "databases", name: "Fabrikam Databases", description: "Managed relational, document and key-value databases."},
	{id: "networking", name: "Fabrikam Networking", description: "Virtual networks, load balancers, DNS and the content delivery network."},
	{id: "identity", name: "Fabrikam Identity", description: "Single sign-on, multi-factor authentication and directory services."},
	{id: "mail", name: "Fabrikam Mail", description: "Business email, calendars and archiving."},
	{id: "collaboration", name: "Fabrikam Collaboration", description: "Chat, meetings, file sharing and intranet sites."},
	{id: "analytics", name: "Fabrikam Analytics", description: "Data warehousing, streaming analytics and dashboards."},
	{id: "ai-platform", name: "Fabrikam AI Platform", description: "Hosted machine learning models, training and inference."},
	{id: "backup", name: "Fabrikam Backup", description: "Backup, archive and disaster recovery as a service."},
	{id: "payments", name: "Fabrikam Payments", description: "Card processing, invoicing and payouts."},
	{id: "customer-engagement", name: "Fabrikam Customer Engagement", description: "CRM, contact centre and marketing automation."},
}

// standard is a standard, law or framework with the artifacts an audit
// against it produces, and where and for whom it usually matters.
type standard struct {
	term
	weight     int      // how often reports against it are published
	artifacts  []string // report names, e.g. "SOC 2 Type II Report"
	regions    []string // region ids it belongs to, if any
	industries []string // industry ids it is aimed at, if any
	url        string   // where the standard is published
}

var standards = []standard{
	{term{"iso-27001", "ISO/IEC 27001", "ISO", "Information security management systems."}, 10,
		[]string{"ISO/IEC 27001 Certificate", "ISO/IEC 27001 Statement of Applicability", "ISO/IEC 27001 Surveillance Audit Report"}, nil, nil, "https://www.iso.org/standard/27001"},
	{term{"iso-27017", "ISO/IEC 27017", "ISO", "Information security controls for cloud services."}, 5,
		[]string{"ISO/IEC 27017 Certificate", "ISO/IEC 27017 Assessment Report"}, nil, nil, "https://www.iso.org/standard/43757.html"},
	{term{"iso-27018", "ISO/IEC 27018", "ISO", "Protection of personally identifiable information in public clouds."}, 5,
		[]string{"ISO/IEC 27018 Certificate", "ISO/IEC 27018 Assessment Report"}, nil, nil, "https://www.iso.org/standard/76559.html"},
	{term{"iso-27701", "ISO/IEC 27701", "ISO", "Privacy information management systems."}, 4,
		[]string{"ISO/IEC 27701 Certificate", "Privacy Information Management Audit Report"}, nil, nil, "https://www.iso.org/standard/71670.html"},
	{term{"iso-22301", "ISO 22301", "ISO", "Business continuity management systems."}, 3,
		[]string{"ISO 22301 Certificate", "Business Continuity Management Audit Report"}, nil, nil, "https://www.iso.org/standard/75106.html"},
	{term{"iso-9001", "ISO 9001", "ISO", "Quality management systems."}, 2,
		[]string{"ISO 9001 Certificate", "Quality Management System Audit Report"}, nil, nil, "https://www.iso.org/standard/62085.html"},
	{term{"iso-42001", "ISO/IEC 42001", "ISO", "Artificial intelligence management systems."}, 2,
		[]string{"ISO/IEC 42001 Certificate", "AI Management System Audit Report"}, nil, nil, "https://www.iso.org/standard/81230.html"},
	{term{"soc-1", "SOC 1", "SOC", "Controls relevant to customers' internal control over financial reporting."}, 6,
		[]string{"SOC 1 Type II Report", "SOC 1 Type I Report", "SOC 1 Bridge Letter"}, nil, []string{"financial-services", "insurance"}, "https://www.aicpa-cima.com/"},
	{term{"soc-2", "SOC 2", "SOC", "Controls relevant to security, availability, processing integrity, confidentiality and privacy."}, 12,
		[]string{"SOC 2 Type II Report", "SOC 2 Type I Report", "SOC 2 Bridge Letter", "SOC 2 + HITRUST Type II Report"}, nil, nil, "https://www.aicpa-cima.com/"},
	{term{"soc-3", "SOC 3", "SOC", "A general-use summary of the SOC 2 examination."}, 3,
		[]string{"SOC 3 Report"}, nil, nil, "https://www.aicpa-cima.com/"},
	{term{"hipaa", "HIPAA/HITECH", "Healthcare", "US rules for protecting health information."}, 4,
		[]string{"HIPAA/HITECH Attestation Report", "HIPAA Security Rule Assessment"}, []string{"north-america"}, []string{"healthcare", "life-sciences", "insurance"}, "https://www.hhs.gov/hipaa/"},
	{term{"hitrust", "HITRUST CSF", "Healthcare", "A certifiable framework for health information security."}, 3,
		[]string{"HITRUST r2 Certification Letter", "HITRUST CSF Validated Assessment Report"}, []string{"north-america"}, []string{"healthcare", "life-sciences"}, "https://hitrustalliance.net/"},
	{term{"fedramp-moderate", "FedRAMP Moderate", "US Government", "US federal authorization for cloud services at the moderate impact level."}, 4,
		[]string{"FedRAMP Moderate P-ATO Letter", "FedRAMP Moderate Annual Assessment Report", "FedRAMP Moderate System Security Plan"}, []string{"north-america"}, []string{"government", "defense", "public-safety"}, "https://www.fedramp.gov/"},
	{term{"fedramp-high", "FedRAMP High", "US Government", "US federal authorization for cloud services at the high impact level."}, 3,
		[]string{"FedRAMP High P-ATO Letter", "FedRAMP High Annual Assessment Report", "FedRAMP High Continuous Monitoring Summary"}, []string{"north-america"}, []string{"government", "defense"}, "https://www.fedramp.gov/"},
	{term{"nist-800-53", "NIST SP 800-53", "US Government", "Security and privacy controls for information systems."}, 2,
		[]string{"NIST SP 800-53 Control Assessment", "NIST SP 800-53 Control Mapping"}, []string{"north-america"}, []string{"government"}, "https://csrc.nist.gov/"},
	{term{"nist-csf", "NIST Cybersecurity Framework", "US Government", "A framework for managing cybersecurity risk."}, 2,
		[]string{"NIST CSF Assessment Report", "NIST CSF Profile"}, nil, nil, "https://www.nist.gov/cyberframework"},
	{term{"cjis", "CJIS Security Policy", "US Government", "Protection of criminal justice information."}, 1,
		[]string{"CJIS Security Addendum", "CJIS Compliance Assessment"}, []string{"north-america"}, []string{"public-safety", "government"}, "https://le.fbi.gov/"},
	{term{"pci-dss", "PCI DSS", "Financial", "The Payment Card Industry Data Security Standard."}, 5,
		[]string{"PCI DSS Attestation of Compliance", "PCI DSS Report on Compliance", "PCI DSS Responsibility Matrix"}, nil, []string{"financial-services", "retail", "hospitality"}, "https://www.pcisecuritystandards.org/"},
	{term{"dora", "DORA", "Financial", "The EU Digital Operational Resilience Act."}, 2,
		[]string{"DORA ICT Third-Party Risk Assessment", "DORA Register of Information Extract"}, []string{"europe"}, []string{"financial-services", "insurance"}, "https://eur-lex.europa.eu/eli/reg/2022/2554/oj"},
	{term{"sec-17a-4", "SEC Rule 17a-4", "Financial", "US rules on retaining broker-dealer records."}, 1,
		[]string{"SEC Rule 17a-4(f) Compliance Assessment"}, []string{"north-america"}, []string{"financial-services"}, "https://www.sec.gov/"},
	{term{"c5", "C5", "Europe", "The German BSI Cloud Computing Compliance Criteria Catalogue."}, 2,
		[]string{"C5 Type 2 Attestation Report", "C5 Type 1 Attestation Report"}, []string{"germany", "europe"}, nil, "https://www.bsi.bund.de/"},
	{term{"ens", "ENS High", "Europe", "The Spanish National Security Framework at the high level."}, 1,
		[]string{"ENS High Certificate", "ENS Statement of Applicability"}, []string{"spain"}, []string{"government"}, "https://ens.ccn.cni.es/"},
	{term{"cyber-essentials-plus", "Cyber Essentials Plus", "Europe", "The UK government-backed baseline of cyber security controls."}, 2,
		[]string{"Cyber Essentials Plus Certificate"}, []string{"united-kingdom"}, []string{"government"}, "https://www.ncsc.gov.uk/cyberessentials/overview"},
	{term{"nis2", "NIS2", "Europe", "The EU directive on a high common level of cybersecurity."}, 1,
		[]string{"NIS2 Readiness Assessment"}, []string{"europe"}, []string{"energy", "utilities", "telecommunications"}, "https://eur-lex.europa.eu/eli/dir/2022/2555/oj"},
	{term{"tisax", "TISAX", "Europe", "The automotive industry's information security assessment exchange."}, 1,
		[]string{"TISAX Assessment Result", "TISAX Label Confirmation"}, []string{"germany", "europe"}, []string{"automotive", "manufacturing"}, "https://enx.com/"},
	{term{"irap", "IRAP", "Asia Pacific", "The Australian Information Security Registered Assessors Program."}, 2,
		[]string{"IRAP Assessment Report (PROTECTED)", "IRAP Letter of Compliance"}, []string{"australia"}, []string{"government", "defense"}, "https://www.cyber.gov.au/"},
	{term{"ismap", "ISMAP", "Asia Pacific", "Japan's Information system Security Management and Assessment Program."}, 1,
		[]string{"ISMAP Registration Confirmation", "ISMAP Assessment Report"}, []string{"japan"}, []string{"government"}, "https://www.ismap.go.jp/"},
	{term{"mtcs", "MTCS SS 584", "Asia Pacific", "Singapore's Multi-Tier Cloud Security standard."}, 1,
		[]string{"MTCS Level 3 Certificate", "MTCS SS 584 Audit Report"}, []string{"singapore"}, nil, "https://www.imda.gov.sg/"},
	{term{"k-isms", "K-ISMS", "Asia Pacific", "Korea's Information Security Management System certification."}, 1,
		[]string{"K-ISMS Certificate", "K-ISMS-P Certification Report"}, []string{"korea"}, nil, "https://isms.kisa.or.kr/"},
	{term{"csa-star", "CSA STAR", "Cloud", "The Cloud Security Alliance's Security, Trust, Assurance and Risk registry."}, 3,
		[]string{"CSA STAR Level 2 Certification", "CSA STAR CAIQ Self-Assessment"}, nil, nil, "https://cloudsecurityalliance.org/star"},
	{term{"gdpr", "GDPR", "Privacy", "The EU General Data Protection Regulation."}, 2,
		[]string{"GDPR Processor Assessment", "GDPR Article 28 Compliance Report"}, []string{"europe"}, nil, "https://eur-lex.europa.eu/eli/reg/2016/679/oj"},
	{term{"ccpa", "CCPA/CPRA", "Privacy", "The California Consumer Privacy Act as amended by the CPRA."}, 1,
		[]string{"CCPA Service Provider Assessment"}, []string{"north-america"}, nil, "https://oag.ca.gov/privacy/ccpa"},
	{term{"gxp", "GxP (21 CFR Part 11)", "Industry", "Good practice rules for life sciences, including electronic records."}, 1,
		[]string{"GxP Qualification Guideline", "21 CFR Part 11 Assessment"}, nil, []string{"life-sciences", "healthcare"}, "https://www.fda.gov/"},
	{term{"ferpa", "FERPA", "Industry", "US rules for the privacy of student education records."}, 1,
		[]string{"FERPA Compliance Statement"}, []string{"north-america"}, []string{"education"}, "https://studentprivacy.ed.gov/"},
}

// trustKind is a kind of trust document: whitepapers, summaries, guides.
type trustKind struct {
	name      string   // e.g. "Penetration Test Summary"; %s takes an industry name
	standards []string // standards it usually relates to; empty for none
	industry  bool     // written for one industry
	noun      string   // how the summary calls it
}

var trustKinds = []trustKind{
	{"Penetration Test Summary", []string{"soc-2", "pci-dss"}, false, "summary of an independent penetration test"},
	{"Security Whitepaper", nil, false, "whitepaper"},
	{"Data Protection Whitepaper", []string{"gdpr", "iso-27701", "iso-27018"}, false, "whitepaper"},
	{"Business Continuity and Disaster Recovery Overview", []string{"iso-22301"}, false, "overview"},
	{"Shared Responsibility Matrix", []string{"pci-dss", "fedramp-moderate", "hipaa"}, false, "matrix"},
	{"Encryption and Key Management Overview", nil, false, "overview"},
	{"Incident Response Overview", nil, false, "overview"},
	{"Subprocessor List", []string{"gdpr"}, false, "list"},
	{"Data Residency Guide", []string{"gdpr"}, false, "guide"},
	{"Compliance Mapping Guide", []string{"nist-800-53", "iso-27001", "soc-2"}, false, "guide"},
	{"%s Compliance Guide", nil, true, "guide"},
	{"Risk Assessment Guide for %s", nil, true, "guide"},
	{"Cloud Security Questionnaire (CAIQ)", []string{"csa-star"}, false, "questionnaire"},
	{"Architecture Security Overview", nil, false, "overview"},
	{"Privacy Whitepaper", []string{"gdpr", "ccpa"}, false, "whitepaper"},
	{"Vulnerability Management Overview", nil, false, "overview"},
	{"Secure Development Lifecycle Overview", nil, false, "overview"},
	{"Accessibility Conformance Report", nil, false, "report"},
	{"AI Transparency Note", []string{"iso-42001"}, false, "note"},
	{"Threat Model Summary", nil, false, "summary"},
	{"Datacenter Physical Security Overview", nil, false, "overview"},
	{"Customer Exit and Data Portability Guide", nil, false, "guide"},
}

// topics are what audits examine and trust documents explain; summaries and
// descriptions name a few each, which gives search plenty of words.
var topics = []string{
	"logical access", "access reviews", "change management", "encryption at rest",
	"encryption in transit", "key management", "incident response", "vulnerability management",
	"patch management", "business continuity", "disaster recovery", "backup and restore",
	"data retention", "secure data deletion", "tenant isolation", "network segmentation",
	"security monitoring", "audit logging", "vendor risk management", "personnel security",
	"physical security of datacenters", "secure software development", "penetration testing", "risk assessment",
	"capacity planning", "availability", "confidentiality", "processing integrity",
	"privacy", "data residency", "identity federation", "multi-factor authentication",
	"privileged access management", "malware protection", "configuration management", "asset inventory",
	"customer data segregation", "breach notification", "subprocessor oversight", "threat modeling",
	"software supply chain security", "secrets management", "denial-of-service protection", "security awareness training",
	"data classification", "customer lockbox", "geo-redundant replication", "service resilience",
	"customer-managed keys in HSMs", "just-in-time administrator access", "immutable backups", "SIEM alert correlation",
	"zero trust network access", "FIPS 140-3 validated cryptography", "TLS 1.3 everywhere", "AES-256 storage encryption",
	"software bills of materials", "static and dynamic code analysis", "chaos engineering", "recovery time and recovery point objectives",
	"red team exercises", "the bug bounty program", "background checks for operators", "separation of duties",
	"firewall rule reviews", "endpoint detection and response", "container image scanning", "infrastructure as code reviews",
	"time synchronisation", "log retention for 365 days", "the Trust Services Criteria", "Annex A controls",
	"data subject requests", "cross-border data transfers", "standard contractual clauses", "records of processing activities",
	"pseudonymisation", "anonymised telemetry", "media sanitisation", "hardware decommissioning",
	"power and cooling redundancy", "environmental monitoring", "visitor management", "CCTV retention",
	"whistleblower procedures", "board oversight of security", "enterprise risk register", "third-party attestations",
	"change advisory board approvals", "emergency changes", "release gating", "rollback procedures",
}

// reportFindings are what an auditor says about a topic; trustFindings are
// what a trust document says about one.
var reportFindings = []string{
	"tested over the whole period with no exceptions noted",
	"one exception noted, remediated before the end of the period",
	"sampled quarterly by the service auditor",
	"operated as described in the system description",
	"covered by a complementary user entity control",
	"inspected on site at three datacenters",
	"supported by automated evidence collection",
	"mapped to the controls of the standard",
}

var trustFindings = []string{
	"described step by step with the customer's responsibilities",
	"explained with diagrams of the data flow",
	"strengthened since the previous version",
	"validated with an independent penetration test",
	"reviewed by management and the internal audit team",
	"mapped to the controls of the main standards",
	"illustrated with the settings customers can change",
	"summarised with links to the detailed procedures",
}

var auditors = []string{
	"Northwind Assurance LLP", "Contoso Audit Partners", "Woodgrove Attestation Services",
	"Tailspin Assurance", "Litware Certification", "Adatum Risk Advisory",
	"Proseware Audit Group", "Wide World Assurance", "Lamna Certification Body",
	"Fourth Coffee Audit and Assurance", "Trey Research Assurance", "Relecloud Compliance Partners",
}

// opinions are what an audit concludes, by the standard's group: SOC
// examinations give opinions, ISO audits certify, others assess.
var opinions = map[string][]string{
	"SOC": {"an unqualified opinion", "an unmodified opinion with no exceptions",
		"a qualified opinion on one control objective", "an unmodified opinion with two exceptions noted"},
	"ISO": {"certification without nonconformities", "certification with two minor nonconformities, since closed",
		"a recommendation to continue certification"},
	"": {"a finding of full compliance", "a clean report of compliance",
		"two findings, both remediated", "a finding of compliance with one observation"},
}

// reportChanges and trustChanges say what changed since the previous
// version; %s takes a topic.
var reportChanges = []string{
	"Scope extended to %s.",
	"Audit period moved to match the fiscal year.",
	"New controls for %s.",
	"Auditor's testing of %s expanded.",
	"Updated for the current revision of the standard.",
	"Added the management assertion letter.",
	"Bridge letter issued for the gap to the next period.",
	"Corrected the list of datacenters in scope.",
}

var trustChanges = []string{
	"New section on %s.",
	"Rewrote the section on %s.",
	"Updated the list of datacenters and subprocessors.",
	"Added the new services launched this year.",
	"Clarified the customer's responsibilities.",
	"Removed retired services.",
}

package search

import (
	"testing"
	"time"
)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

var allRegions = []string{"europe", "north-america", "asia-pacific"}
var allIndustries = []string{"healthcare", "financial-services", "government"}

// sampleLabels and sampleRecords are a small portal: reports for a few
// standards, trust documents, an earlier version and public documents.
func sampleLabels() Labels {
	return Labels{
		FacetService:  {"contoso-cloud": "Contoso Cloud", "contoso-365": "Contoso 365"},
		FacetStandard: {"iso-27001": "ISO/IEC 27001", "iso-27018": "ISO/IEC 27018", "soc-2": "SOC 2", "soc-1": "SOC 1", "fedramp": "FedRAMP", "hipaa": "HIPAA", "c5": "BSI C5"},
		FacetRegion:   {"europe": "Europe", "north-america": "North America", "asia-pacific": "Asia Pacific"},
		FacetIndustry: {"healthcare": "Healthcare", "financial-services": "Financial services", "government": "Government"},
		FacetKind:     {"compliance-report": "Compliance reports", "trust-document": "Trust documents"},
	}
}

func sampleRecords() []Record {
	return []Record{
		{ID: "cloud-iso-27001-2025", Series: "cloud-iso-27001", Version: "2025", Kind: "compliance-report",
			Title: "Contoso Cloud ISO/IEC 27001 Certificate", Summary: "Certificate of registration for the information security management system of Contoso Cloud.",
			Body:     "The certification body audited the ISMS against ISO/IEC 27001:2022 and the controls of Annex A. Surveillance audits follow every year.",
			Services: []string{"contoso-cloud"}, Standards: []string{"iso-27001"}, Regions: allRegions, Industries: allIndustries,
			Published: date("2025-03-10"), PeriodFrom: date("2024-01-01"), PeriodTo: date("2024-12-31"), URL: "documents/cloud-iso-27001/", Current: true, Public: true},
		{ID: "cloud-iso-27001-2024", Series: "cloud-iso-27001", Version: "2024", Kind: "compliance-report",
			Title: "Contoso Cloud ISO/IEC 27001 Certificate", Summary: "Certificate of registration for the information security management system of Contoso Cloud.",
			Body:     "The certification body audited the ISMS against ISO/IEC 27001:2013.",
			Services: []string{"contoso-cloud"}, Standards: []string{"iso-27001"}, Regions: allRegions, Industries: allIndustries,
			Published: date("2024-03-01"), PeriodFrom: date("2023-01-01"), PeriodTo: date("2023-12-31"), URL: "documents/cloud-iso-27001/", Current: false, Public: true},
		{ID: "365-iso-27018-2025", Series: "365-iso-27018", Version: "2025", Kind: "compliance-report",
			Title: "Contoso 365 ISO/IEC 27018 Certificate", Summary: "Protection of personal data in the public cloud for Contoso 365.",
			Body:     "Personal data processing controls for cloud processors were assessed.",
			Services: []string{"contoso-365"}, Standards: []string{"iso-27018"}, Regions: []string{"europe"}, Industries: allIndustries,
			Published: date("2025-05-20"), URL: "documents/365-iso-27018/", Current: true},
		{ID: "cloud-soc-2-2025", Series: "cloud-soc-2", Version: "2025", Kind: "compliance-report",
			Title: "Contoso Cloud SOC 2 Type 2 Report", Summary: "Independent auditor's report on security, availability and confidentiality controls.",
			Body:     "The service auditor tested the operating effectiveness of controls relevant to the trust services criteria over twelve months.",
			Services: []string{"contoso-cloud"}, Standards: []string{"soc-2"}, Regions: allRegions, Industries: allIndustries,
			Published: date("2025-06-19"), PeriodFrom: date("2024-04-01"), PeriodTo: date("2025-03-31"), URL: "documents/cloud-soc-2/", Current: true},
		{ID: "cloud-soc-1-2025", Series: "cloud-soc-1", Version: "2025", Kind: "compliance-report",
			Title: "Contoso Cloud SOC 1 Type 2 Report", Summary: "Controls relevant to customers' financial reporting.",
			Body:     "Give this report to your financial auditors. Complementary user entity controls are listed in section 4.",
			Services: []string{"contoso-cloud"}, Standards: []string{"soc-1"}, Regions: []string{"north-america"}, Industries: []string{"financial-services"},
			Published: date("2025-06-19"), PeriodFrom: date("2024-04-01"), PeriodTo: date("2025-03-31"), URL: "documents/cloud-soc-1/", Current: true},
		{ID: "cloud-fedramp-ssp-2024", Series: "cloud-fedramp-ssp", Version: "2024", Kind: "compliance-report",
			Title: "Contoso Cloud System Security Plan (High)", Summary: "Authorization package summary for US federal agencies.",
			Body:     "The package describes how NIST SP 800-53 controls are implemented at the high baseline.",
			Services: []string{"contoso-cloud"}, Standards: []string{"fedramp"}, Regions: []string{"north-america"}, Industries: []string{"government"},
			Published: date("2024-11-02"), URL: "documents/cloud-fedramp-ssp/", Current: true},
		{ID: "365-hipaa-2023", Series: "365-hipaa", Version: "2023", Kind: "trust-document",
			Title: "HIPAA Business Associate Guidance for Contoso 365", Summary: "How Contoso 365 supports covered entities handling protected health information.",
			Body:     "Sign the business associate agreement before storing protected health information. Encryption at rest and in transit is on by default.",
			Services: []string{"contoso-365"}, Standards: []string{"hipaa"}, Regions: []string{"north-america"}, Industries: []string{"healthcare"},
			Published: date("2023-09-14"), URL: "documents/365-hipaa/", Current: true, Public: true},
		{ID: "cloud-pentest-2025", Series: "cloud-pentest", Version: "2025", Kind: "trust-document",
			Title: "Contoso Cloud Penetration Test Summary", Summary: "Results of the annual third-party penetration test of the Contoso Cloud control plane.",
			Body:     "An external firm tested the management portal and APIs. All critical and high severity findings were remediated before publication.",
			Services: []string{"contoso-cloud"}, Regions: allRegions, Industries: allIndustries,
			Published: date("2025-01-15"), URL: "documents/cloud-pentest/", Current: true},
		{ID: "cloud-bcdr-2024", Series: "cloud-bcdr", Version: "2024", Kind: "trust-document",
			Title: "Business Continuity and Disaster Recovery Overview", Summary: "How Contoso Cloud keeps services available and recovers from regional outages.",
			Body:     "Recovery time objectives and recovery point objectives for each service tier. Failover between paired regions is tested twice a year.",
			Services: []string{"contoso-cloud", "contoso-365"}, Regions: allRegions, Industries: allIndustries,
			Published: date("2024-07-30"), URL: "documents/cloud-bcdr/", Current: true, Public: true},
		{ID: "cloud-c5-2025", Series: "cloud-c5", Version: "2025", Kind: "compliance-report",
			Title: "Contoso Cloud BSI C5 Type 2 Attestation", Summary: "Cloud Computing Compliance Criteria Catalogue attestation for German public-sector customers.",
			Body:     "The attestation covers the basic criteria and additional criteria of C5:2020.",
			Services: []string{"contoso-cloud"}, Standards: []string{"c5"}, Regions: []string{"europe"}, Industries: []string{"government"},
			Published: date("2025-04-04"), PeriodFrom: date("2024-01-01"), PeriodTo: date("2024-12-31"), URL: "documents/cloud-c5/", Current: true},
	}
}

// openSample builds and opens the sample index.
func openSample(t testing.TB) *Index {
	t.Helper()
	return openRecords(t, sampleRecords(), sampleLabels())
}

// openRecords builds the index of records and opens it.
func openRecords(t testing.TB, records []Record, labels Labels) *Index {
	t.Helper()
	data, err := BuildIndex(records, labels)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := Open(data)
	if err != nil {
		t.Fatal(err)
	}
	return idx
}

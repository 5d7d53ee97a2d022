"""FHIR code systems, mCODE profiles and the code and word tables the readers map by.

Data only: each code is checked against the source named beside it; docs/fhir.md
lists every code and word pattern accepted.
"""

import re

from ...base import vocab

# -- code systems and profiles -------------------------------------------------------

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ICDO3 = "http://terminology.hl7.org/CodeSystem/icd-o-3"
NCIT = "http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl"
MCODE = "http://hl7.org/fhir/us/mcode/StructureDefinition/"

PRIMARY_PROFILE = "mcode-primary-cancer-condition"
SECONDARY_PROFILE = "mcode-secondary-cancer-condition"
HISTOLOGY_EXTENSION = MCODE + "mcode-histology-morphology-behavior"
# A metastasis's link to its primary: the FHIR core extension mCODE STU2+ use
# (SecondaryCancerCondition.extension[relatedPrimaryCancerCondition]), mCODE's own
# mcode-condition-related, and the STU1 name. All three are read.
RELATED_PRIMARY_EXTENSIONS = (
    "http://hl7.org/fhir/StructureDefinition/condition-related", MCODE + "mcode-condition-related",
    MCODE + "mcode-related-primary-cancer-condition",
)
# An Observation's link to the cancer it is about (mCODE STU3+ histology, grade, tumour markers);
# staging uses Observation.focus. Both are read.
RELATED_CONDITION_EXTENSION = MCODE + "mcode-related-condition"
# An event given in a research study (FHIR R4 core extension "Associated study").
RESEARCH_STUDY_EXTENSION = "http://hl7.org/fhir/StructureDefinition/workflow-researchStudy"
# mCODE STU2 carried the reason in this extension; STU3+ use statusReason. Both are read.
TERMINATION_EXTENSION = MCODE + "mcode-treatment-termination-reason"
# Profiles that mark a medication or procedure as cancer treatment (mCODE STU1-4).
TREATMENT_PROFILES = (
    "mcode-cancer-related-medication-statement", "mcode-cancer-related-medication-request",
    "mcode-cancer-related-medication-administration", "mcode-cancer-related-surgical-procedure",
    "mcode-radiotherapy-course-summary",
)
# CTCAE grade extensions: HL7 Adverse Event Clinical Research IG (R4 backport and R5) and
# the draft CTCAE IG that mCODE examples use.
GRADE_EXTENSIONS = (
    "http://hl7.org/fhir/uv/ae-research-backport-ig/StructureDefinition/ae-grade",
    "http://hl7.org/fhir/uv/ae-research-ig/StructureDefinition/ae-grade",
    "http://hl7.org/fhir/us/ctcae/StructureDefinition/ctcae-grade",
    MCODE + "ctcae-grade",
)

# -- code tables (each code checked against the source named; see docs/fhir.md) -------

# Observation.code (LOINC) -> what it reports. 29593-1 is "Cells.Ki-67 nuclear Ag/cells in
# Tissue by Immune stain" (the often-quoted 29593-6 fails the LOINC check digit).
OBSERVATION_BY_LOINC = {
    "29593-1": "ki67",
    "33732-9": "grade",  # Histology grade [Identifier] in Cancer specimen (mCODE HistologicGrade)
    "81695-9": "msi",  # Microsatellite instability [Interpretation] in Cancer specimen Qualitative
    "94076-7": "tmb",  # Mutations/Megabase [# Ratio] in Tumor (Genomics Reporting TMB profile)
    "21908-9": "stage", "21902-2": "stage", "21914-7": "stage",  # stage group clinical/pathological/other
    "97509-4": "disease",  # mCODE CancerDiseaseStatus
    "89247-1": "ecog",  # ECOG Performance Status score
    "30525-0": "age",  # Age
}
# Where no code is given (or none exists, as for SSTR imaging), the Observation's own
# words decide. Each pattern names one test unambiguously.
OBSERVATION_BY_TEXT = (
    ("ki67", re.compile(r"\bki[- ]?67\b", re.I)),
    ("grade", re.compile(r"\b(histologic(al)?|tumou?r|who)\s+grade\b", re.I)),
    ("msi", re.compile(r"\bmicrosatellite\b|\bmsi\b", re.I)),
    ("mmr", re.compile(r"\bmismatch[- ]repair\b|\bmmr\b", re.I)),
    ("tmb", re.compile(r"\btumou?r mutation(al)? burden\b|\btmb\b", re.I)),
    ("sstr", re.compile(r"\bsomatostatin receptor\b|\bsstr\d?\b|\bdotata(te|toc)\b|\boctreoscan\b|\bpentetreotide\b", re.I)),
)
CODED_TEXT_KINDS = {"ki67", "grade", "msi", "tmb"}  # these have a LOINC code; reading text is worth a warning

# Grade and stage values are in data/observations.yaml (terminology.py), with their sources.
MSI_BY_LOINC_ANSWER = {
    "LA26203-2": "high",  # MSI-H
    "LA14122-8": "stable",  # Stable
    "LA26202-4": "stable",  # MSI-L: managed as microsatellite stable
}
POSITIVE_NEGATIVE = {"10828004": "positive", "260373001": "positive", "260385009": "negative", "260415000": "negative"}
DISEASE_BY_SNOMED = {"271299001": "progressing", "359746009": "stable"}  # condition worsened / stable
STOPPED_BY_SNOMED = {  # mCODE TreatmentTerminationReasonVS
    "266721009": "progression",  # No response to treatment
    "407563006": "toxicity",  # Treatment not tolerated
    "182992009": "completed",  # Treatment completed
    "105480006": "patient-choice",  # Refusal of treatment by patient
    "160932005": "other",  # Financial problem
    "184081006": "other",  # Patient has moved away
    "309846006": "other",  # Treatment not available
    "399307001": "other",  # Lost to follow-up
}
GRADE_BY_NCIT = {"C41338": 1, "C41339": 2, "C41340": 3, "C41337": 4, "C48275": 5, "C75533": 0}

# Body sites (SNOMED CT body structures, as in mCODE's TG263 body-site value set).
SITE_BY_SNOMED = {
    "15776009": "pancreas", "64163001": "pancreas", "73239005": "pancreas",  # pancreas; head; tail
    "38848004": "duodenum", "69695003": "stomach",
    "30315005": "small-intestine", "21306003": "small-intestine", "34516001": "small-intestine",  # small intestine; jejunum; ileum
    "66754008": "appendix",
    "71854001": "colon", "32713005": "colon", "9040008": "colon", "485005": "colon", "32622004": "colon", "60184004": "colon",
    "34402009": "rectum",
    "39607008": "lung", "31094006": "lung", "955009": "lung", "102297006": "lung",  # lung; lobe; bronchus; main bronchus
    "9875009": "thymus",
}
# ICD-10-CM malignant carcinoid tumours (C7A.0x) and the endocrine pancreas. Codes for an
# unspecified part (C7A.019 small intestine, C7A.029 large intestine, C7A.094-096 fore/mid/
# hindgut, C7A.00) are left out on purpose: they do not name a primary site of the case format.
SITE_BY_ICD10 = {
    "C25.4": "pancreas", "C7A.010": "duodenum", "C7A.011": "small-intestine", "C7A.012": "small-intestine",
    "C7A.020": "appendix", "C7A.021": "colon", "C7A.022": "colon", "C7A.023": "colon", "C7A.024": "colon",
    "C7A.025": "colon", "C7A.026": "rectum", "C7A.090": "lung", "C7A.091": "thymus", "C7A.092": "stomach",
    "C7A.093": "other", "C7A.098": "other",
}
METASTASIS_BY_SNOMED = {
    "10200004": "liver", "59441001": "lymph-node", "62683002": "lymph-node", "119186007": "bone",
    "85710004": "bone", "39607008": "lung", "118762006": "peritoneum", "12738006": "brain",
}
# ICD-O-3 morphology. 8246/3 (neuroendocrine carcinoma, NOS) is left out: older reports use
# it for well-differentiated tumours too (seed patient 2's biopsy did), so it decides nothing.
DIFFERENTIATION_BY_ICDO3 = {
    "8240/3": "well", "8249/3": "well", "8241/3": "well", "8150/3": "well", "8151/3": "well",
    "8152/3": "well", "8153/3": "well", "8155/3": "well", "8156/3": "well",
    "8013/3": "poor", "8041/3": "poor",
}
THORACIC_HISTOLOGY_BY_ICDO3 = {"8240/3": "typical-carcinoid", "8249/3": "atypical-carcinoid"}
FUNCTIONAL_BY_SNOMED = {"35868009": "carcinoid-syndrome"}
GERMLINE_BY_SNOMED = {"315058005": "lynch"}  # Hereditary nonpolyposis colon cancer
# RxNorm codes are in data/rxnorm.yaml (terminology.py), with their sources.
# A Medication listing these ingredients is the regimen the catalogue names.
REGIMENS = {
    frozenset({"capecitabine", "temozolomide"}): "capecitabine-temozolomide",
    frozenset({"streptozocin", "fluorouracil"}): "streptozocin-fluorouracil",
    frozenset({"fluorouracil", "leucovorin", "oxaliplatin"}): "folfox",
    frozenset({"capecitabine", "oxaliplatin"}): "capeox",
    frozenset({"cisplatin", "etoposide"}): "cisplatin-etoposide",
    frozenset({"carboplatin", "etoposide"}): "carboplatin-etoposide",
    frozenset({"nivolumab", "ipilimumab"}): "nivolumab-ipilimumab",
}

# -- word patterns (documented in docs/fhir.md; first match wins) -------------------------

PRIMARY_SITE_WORDS = (
    ("unknown-primary", r"\bunknown primary\b"),
    ("pancreas", r"\bpancrea"),
    ("duodenum", r"\bduoden"),
    ("stomach", r"\b(stomach|gastric)\b"),
    ("appendix", r"\bappend(ix|iceal)\b"),
    ("rectum", r"\brect(um|al)\b"),
    ("colon", r"\b(colon|colonic|c(a)?ecum|c(a)?ecal)\b"),
    ("small-intestine", r"\b(small (intestine|bowel)|jejun(um|al)|ile(um|al))\b"),
    ("lung", r"\b(lung|pulmonary|bronch(us|ial|opulmonary))\b"),
    ("thymus", r"\bthym(us|ic)\b"),
)
METASTASIS_WORDS = (
    ("liver", r"\b(liver|hepatic)\b"),
    ("lymph-node", r"\b(lymph nodes?|nodal)\b"),
    ("bone", r"\b(bones?|osseous|skeletal)\b"),
    ("lung", r"\b(lungs?|pulmonary)\b"),
    ("peritoneum", r"\bperitone(um|al)\b"),
    ("brain", r"\b(brain|cerebral)\b"),
)
FUNCTIONAL_WORDS = (
    ("carcinoid-syndrome", r"\bcarcinoid syndrome\b"),
    ("gastrinoma", r"\b(gastrinoma|zollinger[- ]ellison)\b"),
    ("insulinoma", r"\binsulinoma\b"),
    ("glucagonoma", r"\bglucagonoma\b"),
    ("vipoma", r"\b(vipoma|verner[- ]morrison)\b"),
    ("somatostatinoma", r"\bsomatostatinoma\b"),
    ("acth", r"\bectopic acth\b"),
)
GERMLINE_WORDS = (
    ("lynch", r"\b(lynch|hnpcc|hereditary non-?polyposis|muir[- ]torre)\b"),
    ("men1", r"\b(men1|men-1|multiple endocrine neoplasia,? type (1|i))\b"),
    ("vhl", r"\b(vhl|von hippel[- ]lindau)\b"),
    ("nf1", r"\b(nf1|neurofibromatosis,? type (1|i))\b"),
    ("tsc", r"\btuberous sclerosis\b"),
)
DIFFERENTIATION_WORDS = (
    ("well", r"\bwell[- ]differentiated\b|\bcarcinoid\b"),
    ("poor", r"\bpoorly[- ]differentiated\b|\b(small|large)[- ]cell\b[\w\s]*\bcarcinoma\b"),
)
THORACIC_HISTOLOGY_WORDS = (
    ("atypical-carcinoid", r"\batypical carcinoid\b"),
    ("typical-carcinoid", r"\btypical carcinoid\b"),
)
SSTR_MODALITY_WORDS = (
    ("ga68-dotatoc-pet", r"\bdotatoc\b"),
    ("cu64-dotatate-pet", r"\b(cu|copper)[- ]?64\b"),
    ("ga68-dotatate-pet", r"\bdotatate\b"),
    ("octreoscan", r"\b(octreoscan|pentetreotide|in(dium)?[- ]?111)\b"),
    ("immunohistochemistry", r"\b(immunohistochemi\w*|ihc)\b"),
)
# Values given as words must be a whole value (spacing and case aside), so that
# "not progressing" or "MSI not high" can never read as a finding.
STOPPED_VALUES = {
    **{w: w for w in vocab.STOPPED if w != "ongoing"}, "progressive-disease": "progression", "disease-progression": "progression",
    "pd": "progression", "no-response-to-treatment": "progression", "treatment-not-tolerated": "toxicity",
    "intolerance": "toxicity", "treatment-completed": "completed", "refusal-of-treatment-by-patient": "patient-choice",
}
MSI_VALUES = {
    **vocab.MSI_ALIASES, "high": "high", "stable": "stable", "msi-l": "stable", "msi-low": "stable", "microsatellite-stable": "stable",
    "deficient": "high", "mmr-deficient": "high", "proficient": "stable", "mmr-proficient": "stable", "intact": "stable",
}
DISEASE_VALUES = {
    **{w: w for w in vocab.DISEASE_STATUS}, **vocab.DISEASE_ALIASES, "progressive-disease": "progressing",
    "disease-progression": "progressing", "stable-disease": "stable",
}
NEUROENDOCRINE_WORDS = r"\b(neuroendocrine|carcinoid|net|nec|insulinoma|gastrinoma|glucagonoma|vipoma|somatostatinoma)\b"

# Which statuses mean the treatment was never given, and what a status without a
# termination reason says about why it ended (per resource type, from the R4 definitions).
NOT_GIVEN = {"entered-in-error", "not-taken", "intended", "cancelled", "draft", "not-done", "preparation"}
STATUS_STOPPED = {
    "MedicationStatement": {"active": "ongoing", "stopped": "other", "completed": "other"},  # completed: "no longer being taken"
    "MedicationRequest": {"active": "ongoing", "stopped": "other", "completed": "completed"},
    "MedicationAdministration": {"in-progress": "ongoing", "stopped": "other"},
    "Procedure": {"in-progress": "ongoing", "stopped": "other", "completed": "completed"},
}
REQUEST_INTENTS_GIVEN = {"order", "original-order", "reflex-order", "filler-order", "instance-order"}
LINE_TYPES = tuple(STATUS_STOPPED)

"""Vocabularies of the case format `netadvisor-case/1` (the contract's word lists).

Therapy ids are not here: the therapy catalogue in guidelines/ defines them.
Aliases map other common spellings onto a word; matching is case-insensitive
and treats spaces and underscores as hyphens.
"""

CASE_FORMAT = "netadvisor-case/1"
ADVICE_FORMAT = "netadvisor-advice/1"

SITES = (
    "pancreas", "duodenum", "stomach", "small-intestine", "appendix", "colon",
    "rectum", "lung", "thymus", "unknown-primary", "other",
)
SITE_ALIASES = {
    "jejunum": "small-intestine", "ileum": "small-intestine", "small-bowel": "small-intestine",
    "pancreatic": "pancreas", "unknown": "unknown-primary", "bronchial": "lung",
    "bronchopulmonary": "lung",
}
SEX = ("female", "male", "other")
DIFFERENTIATION = ("well", "poor")
DIFFERENTIATION_ALIASES = {"well-differentiated": "well", "poorly-differentiated": "poor", "nec": "poor"}
HISTOLOGY = ("typical-carcinoid", "atypical-carcinoid")
HISTOLOGY_ALIASES = {"typical": "typical-carcinoid", "atypical": "atypical-carcinoid"}
GASTRIC_TYPES = ("type-1", "type-2", "type-3")
GASTRIC_TYPE_ALIASES = {"type-i": "type-1", "type-ii": "type-2", "type-iii": "type-3"}
STAGES = ("localized", "regional", "locally-advanced", "metastatic")
STAGE_ALIASES = {"localised": "localized", "locoregional": "regional", "advanced": "locally-advanced"}
FUNCTIONAL = (
    "nonfunctional", "carcinoid-syndrome", "gastrinoma", "insulinoma", "glucagonoma",
    "vipoma", "somatostatinoma", "acth", "other-hormone",
)
FUNCTIONAL_ALIASES = {"non-functional": "nonfunctional", "nonfunctioning": "nonfunctional",
                      "non-functioning": "nonfunctional", "carcinoid": "carcinoid-syndrome"}
SSTR = ("positive", "negative", "unknown")
SSTR_MODALITY = ("ga68-dotatate-pet", "ga68-dotatoc-pet", "cu64-dotatate-pet", "octreoscan", "immunohistochemistry")
SSTR_MODALITY_NAMES = {"ga68-dotatate-pet": "⁶⁸Ga-DOTATATE PET", "ga68-dotatoc-pet": "⁶⁸Ga-DOTATOC PET",  # as reports write them
                       "cu64-dotatate-pet": "⁶⁴Cu-DOTATATE PET", "octreoscan": "Octreoscan"}
SSTR_UPTAKE = ("strong", "moderate", "weak", "heterogeneous")
METASTASES = ("liver", "lymph-node", "bone", "lung", "peritoneum", "brain", "other")
METASTASES_ALIASES = {"hepatic": "liver", "lymph-nodes": "lymph-node", "nodal": "lymph-node"}
MSI = ("high", "stable", "unknown")
MSI_ALIASES = {"dmmr": "high", "msi-h": "high", "msi-high": "high", "mss": "stable", "pmmr": "stable"}
TMB_WORDS = ("high", "low")
GERMLINE = ("men1", "vhl", "nf1", "tsc", "lynch")
GERMLINE_NAMES = {"men1": "MEN1", "vhl": "VHL", "nf1": "NF1", "tsc": "TSC", "lynch": "Lynch"}  # as reports write them
BURDEN = ("low", "clinically-significant")  # NCCN's words
BURDEN_ALIASES = {"significant": "clinically-significant", "high": "clinically-significant"}
FDG = ("positive", "negative")
BRAF = ("v600e", "wild-type", "unknown")
FUSION = ("fusion", "negative", "unknown")  # NTRK and RET gene fusions
DISEASE_STATUS = ("progressing", "stable", "new-diagnosis")
DISEASE_ALIASES = {"progression": "progressing", "progressive": "progressing", "newly-diagnosed": "new-diagnosis"}
COMORBIDITIES = (
    "hypertension", "uncontrolled-hypertension", "diabetes", "interstitial-lung-disease",
    "prior-vte", "bleeding-risk", "heart-failure", "kidney-disease", "liver-dysfunction",
    "immunosuppression",
)
COMORBIDITY_ALIASES = {"ild": "interstitial-lung-disease", "vte": "prior-vte", "ckd": "kidney-disease"}
SETTING = ("standard", "trial", "off-label")
STOPPED = ("progression", "toxicity", "completed", "patient-choice", "other", "ongoing")
RESPONSE = ("cr", "pr", "sd", "pd", "ne")
TOXICITY_EVENTS = (
    "pneumonitis", "hypertension", "hypertensive-crisis", "stomatitis", "mucositis", "diarrhea",
    "fatigue", "nausea", "rash", "hyperglycemia", "hypoglycemia", "neutropenia",
    "thrombocytopenia", "anemia", "lymphopenia", "myelodysplastic-syndrome", "renal-toxicity",
    "hepatotoxicity", "palmar-plantar-erythrodysesthesia", "venous-thromboembolism",
    "hemorrhage", "gi-perforation", "infection", "hypersensitivity", "cardiac-dysfunction",
    "proteinuria", "postembolization-syndrome", "other",
)
TOXICITY_ALIASES = {
    "diarrhoea": "diarrhea", "anaemia": "anemia", "ppe": "palmar-plantar-erythrodysesthesia",
    "hand-foot-syndrome": "palmar-plantar-erythrodysesthesia", "vte": "venous-thromboembolism",
    "mds": "myelodysplastic-syndrome", "haemorrhage": "hemorrhage", "bleeding": "hemorrhage",
}
AVOID = ("radiation", "intravenous", "oral", "chemotherapy")

# What each intent and category word means, for the advice output.
INTENTS = ("antitumor", "symptom-control", "liver-directed")
CATEGORIES = ("1", "2A", "2B", "3")
PREFERENCES = ("preferred", "other-recommended", "useful-in-certain-circumstances")

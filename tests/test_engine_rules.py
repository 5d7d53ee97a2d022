"""The eligibility checker's rules, each on a small case built for it."""

import copy

from conftest import BASE_PNET, advise_dict, candidate, excluded


def case(**changes):
    """BASE_PNET with dotted-path changes: case(**{"tumor.sstr": "negative"})."""
    data = copy.deepcopy(BASE_PNET)
    for path, value in changes.items():
        target = data
        *parents, last = path.split(".")
        for key in parents:
            target = target.setdefault(key, {})
        target[last] = value
    return data


def codes(item):
    return [r.code for r in item.reasons]


def caution_codes(c):
    return [x.code for x in c.cautions]


def test_progression_on_one_ssa_excludes_both_for_tumour_control(library):
    advice = advise_dict(library, case(history=[{"therapy": "octreotide-lar", "end": "2025-01", "stopped": "progression"}]))
    assert codes(excluded(advice, "octreotide-lar"))[0] == "progressed-on"
    lan = excluded(advice, "lanreotide")
    assert "progressed-on-related" in codes(lan)
    assert "progressed on Octreotide LAR (2025-01)" in lan.reasons[0].text


def test_ssa_stays_for_symptom_control_of_a_functional_tumour(library):
    data = case(**{"tumor.functional": ["gastrinoma"]}, history=[{"therapy": "lanreotide", "end": "2025-01", "stopped": "progression"}])
    advice = advise_dict(library, data)
    lan = candidate(advice, "lanreotide")
    assert lan.intent == "symptom-control"
    assert "not-for-tumour-control" in codes(lan)


def test_temozolomide_rule_after_captem_progression(library):
    rules = library.catalogue.progression_excludes
    assert "temozolomide" in rules["capecitabine-temozolomide"]
    assert "capecitabine-temozolomide" not in rules.get("temozolomide", {})


def test_grade_3_toxicity_stop_excludes_for_every_intent(library):
    data = case(history=[{"therapy": "everolimus", "end": "2024-08", "stopped": "toxicity",
                          "toxicity": [{"event": "pneumonitis", "grade": 3}]}])
    ev = excluded(advise_dict(library, data), "everolimus")
    assert ev.reasons[0].code == "prior-severe-toxicity"
    assert ev.reasons[0].text == "stopped for pneumonitis (grade 3) (2024-08)"


def test_lower_grade_toxicity_stop_is_a_caution(library):
    data = case(history=[{"therapy": "everolimus", "end": "2024-08", "stopped": "toxicity",
                          "toxicity": [{"event": "stomatitis", "grade": 2}]}])
    ev = candidate(advise_dict(library, data), "everolimus")
    assert "prior-toxicity" in caution_codes(ev)


def test_toxicity_stop_without_a_grade_is_not_treated_as_mild(library):
    data = case(history=[{"therapy": "sunitinib", "stopped": "toxicity"}])
    assert excluded(advise_dict(library, data), "sunitinib").reasons[0].code == "prior-severe-toxicity"


def test_sstr_negative_excludes_ssa_and_prrt(library):
    advice = advise_dict(library, case(**{"tumor.sstr": "negative"}))
    for therapy in ("octreotide-lar", "lanreotide", "lu177-dotatate"):
        assert excluded(advice, therapy) is not None, therapy


def test_sstr_unknown_excludes_with_obtain_pet_and_a_warning(library):
    data = case(**{"tumor.sstr": "unknown"}, history=[{"therapy": "octreotide-lar", "stopped": "progression"}])
    advice = advise_dict(library, data)
    prrt = excluded(advice, "lu177-dotatate")
    unknown = [r for r in prrt.reasons if r.code == "unknown-fact"]
    assert unknown and "obtain SSTR PET" in unknown[0].text and unknown[0].unknown == ("tumor.sstr",)
    assert any(w.code == "unknown-fact" and "tumor.sstr" in w.text for w in advice.warnings)


def test_first_line_prrt_only_for_the_netter2_population(library):
    first_line = {"disease.status": "new-diagnosis", "history": []}
    low = advise_dict(library, case(**first_line, **{"tumor.ki67": 5}))
    assert excluded(low, "lu177-dotatate").reasons[0].code == "after-ssa-or-netter2"
    high = advise_dict(library, case(**first_line, **{"tumor.ki67": 15}))
    assert candidate(high, "lu177-dotatate") is not None
    g3_unknown_ki67 = case(**first_line, **{"tumor.grade": 3})
    del g3_unknown_ki67["tumor"]["ki67"]
    assert candidate(advise_dict(library, g3_unknown_ki67), "lu177-dotatate") is None


def test_cabozantinib_needs_prior_treatment_and_upgrades_to_category_1(library):
    naive = advise_dict(library, case(history=[]))
    assert excluded(naive, "cabozantinib").reasons[0].code == "label-previously-treated"
    after_ssa = advise_dict(library, case(history=[{"therapy": "lanreotide", "stopped": "progression"}]))
    assert candidate(after_ssa, "cabozantinib").category == "2A"
    after_sunitinib = advise_dict(library, case(history=[{"therapy": "sunitinib", "stopped": "progression"}]))
    cabo = candidate(after_sunitinib, "cabozantinib")
    assert cabo.category == "1" and cabo.reasons[1].code == "category-rule"


def test_cabozantinib_upgrade_after_sunitinib_is_pancreas_only(library):
    data = case(**{"tumor.primary_site": "small-intestine"}, history=[{"therapy": "sunitinib", "stopped": "progression"}])
    assert candidate(advise_dict(library, data), "cabozantinib").category == "2A"


def test_age_limits_are_off_label_cautions_not_exclusions(library):
    """A label's age limit makes the use off-label, not contraindicated: the option stays, flagged."""
    prior = [{"therapy": "lanreotide", "stopped": "progression"}]
    child = advise_dict(library, case(**{"patient.age": 11}, history=prior))
    for therapy, code in (("lu177-dotatate", "label-age-12"), ("cabozantinib", "label-age-12"),
                          ("everolimus", "label-adults"), ("sunitinib", "label-adults")):
        caution = next(x for x in candidate(child, therapy).cautions if x.code == code)
        assert caution.text.startswith("off-label: requires") and "age: 11" in caution.text, therapy
    teen = advise_dict(library, case(**{"patient.age": 13}, history=prior))
    assert "label-age-12" not in caution_codes(candidate(teen, "lu177-dotatate"))
    assert "label-age-12" not in caution_codes(candidate(teen, "cabozantinib"))
    assert "label-adults" in caution_codes(candidate(teen, "everolimus"))
    assert "label-adults" in caution_codes(candidate(teen, "sunitinib"))


def test_unknown_age_is_a_caution_not_a_pass(library):
    data = case(history=[{"therapy": "lanreotide", "stopped": "progression"}])
    del data["patient"]
    cabo = candidate(advise_dict(library, data), "cabozantinib")
    assert any("not stated: age" in x.text for x in cabo.cautions)


def test_everolimus_not_for_functional_carcinoid(library):
    data = case(**{"tumor.primary_site": "small-intestine", "tumor.functional": ["carcinoid-syndrome"]})
    assert excluded(advise_dict(library, data), "everolimus").reasons[0].code == "label-not-functional-carcinoid"


def test_sunitinib_is_not_offered_outside_the_pancreas(library):
    advice = advise_dict(library, case(**{"tumor.primary_site": "colon"}))
    assert excluded(advice, "sunitinib").reasons[0].code == "pnet-only"


def test_vegfr_caution_quotes_the_prior_event_and_the_candidate_rate(library):
    data = case(history=[
        {"therapy": "surufatinib", "end": "2021-12", "stopped": "toxicity", "toxicity": [{"event": "hypertensive-crisis", "grade": 4}]},
        {"therapy": "everolimus", "stopped": "progression"},
    ])
    cabo = candidate(advise_dict(library, data), "cabozantinib")
    text = next(x.text for x in cabo.cautions if x.code == "related-prior-toxicity")
    assert "hypertensive crisis (grade 4) on Surufatinib (2021-12)" in text
    assert "hypertension 22%" in text  # pNET cohort rate, CABINET


def test_patient_cautions_keep_the_candidate(library):
    data = case(**{"patient.comorbidities": ["hypertension", "prior-vte", "interstitial-lung-disease", "diabetes", "kidney-disease"],
                   "patient.creatinine_clearance": 40},
                history=[{"therapy": "octreotide-lar", "stopped": "progression"}])
    advice = advise_dict(library, data)
    assert {"hypertension", "thrombosis"} <= set(caution_codes(candidate(advice, "cabozantinib")))
    assert {"lung-disease", "diabetes"} <= set(caution_codes(candidate(advice, "everolimus")))
    assert "renal-function" in caution_codes(candidate(advice, "lu177-dotatate"))


def test_avoid_radiation_is_a_caution_and_ranks_prrt_later(library):
    base = case(history=[{"therapy": "octreotide-lar", "stopped": "progression"}])
    avoiding = case(history=[{"therapy": "octreotide-lar", "stopped": "progression"}], preferences={"avoid": ["radiation"]})
    before = candidate(advise_dict(library, base), "lu177-dotatate")
    after = candidate(advise_dict(library, avoiding), "lu177-dotatate")
    assert "patient-preference" in caution_codes(after)
    assert after.rank > before.rank


def test_pembrolizumab_needs_msi_or_tmb_and_prior_treatment(library):
    prior = [{"therapy": "lanreotide", "stopped": "progression"}]
    assert candidate(advise_dict(library, case(**{"tumor.biomarkers": {"msi": "high"}}, history=prior)), "pembrolizumab")
    assert candidate(advise_dict(library, case(**{"tumor.biomarkers": {"tmb": 10}}, history=prior)), "pembrolizumab")
    low = advise_dict(library, case(**{"tumor.biomarkers": {"msi": "stable", "tmb": 4}}, history=prior))
    assert excluded(low, "pembrolizumab").reasons[0].code == "msi-or-tmb-high"
    untreated = advise_dict(library, case(**{"tumor.biomarkers": {"msi": "high"}}, history=[]))
    assert excluded(untreated, "pembrolizumab").reasons[0].code == "after-prior-treatment"


def test_symptom_control_drugs(library):
    insulinoma = advise_dict(library, case(**{"tumor.functional": ["insulinoma"]}))
    assert candidate(insulinoma, "diazoxide").intent == "symptom-control"
    carcinoid = case(**{"tumor.primary_site": "small-intestine", "tumor.functional": ["carcinoid-syndrome"]},
                     history=[{"therapy": "octreotide-lar", "stopped": "ongoing"}])
    assert candidate(advise_dict(library, carcinoid), "telotristat").intent == "symptom-control"
    no_ssa = case(**{"tumor.primary_site": "small-intestine", "tumor.functional": ["carcinoid-syndrome"]})
    assert excluded(advise_dict(library, no_ssa), "telotristat") is not None


def test_clinical_trial_is_always_listed(library):
    """Access stated: a candidate; no access: excluded, saying so; not stated: a candidate with a note."""
    with_access = candidate(advise_dict(library, case(preferences={"clinical_trial_access": True})), "clinical-trial")
    assert with_access and "trial-access" not in caution_codes(with_access)
    assert excluded(advise_dict(library, case(preferences={"clinical_trial_access": False})), "clinical-trial").reasons[0].code == "trial-access"
    unknown = candidate(advise_dict(library, case()), "clinical-trial")
    note = next(x for x in unknown.cautions if x.code == "trial-access")
    assert note.severity == "info" and "not stated: clinical-trial access" in note.text


def test_ongoing_antitumour_therapy_while_progressing_counts_as_progression(library):
    data = case(history=[{"therapy": "octreotide-lar", "start": "2023", "stopped": "ongoing"}])
    advice = advise_dict(library, data)
    assert excluded(advice, "octreotide-lar").reasons[0].code == "progressing-on-current"
    assert candidate(advice, "lu177-dotatate") is not None  # counts as SSA progression (NETTER-1)


def test_bulky_disease_ranks_captem_and_prrt_earlier(library):
    prior = [{"therapy": "lanreotide", "stopped": "progression"}]
    plain = advise_dict(library, case(**{"tumor.bulky": False}, history=prior))
    bulky = advise_dict(library, case(**{"tumor.bulky": True}, history=prior))
    lu_bulky, lu_plain = candidate(bulky, "lu177-dotatate"), candidate(plain, "lu177-dotatate")
    assert "rank-prrt-bulky" in codes(lu_bulky) and "rank-prrt-not-bulky" in codes(lu_plain)
    assert lu_bulky.tier < lu_plain.tier  # the same category and tier, a better ranking key
    assert "rank-captem-response-needed" in codes(candidate(bulky, "capecitabine-temozolomide"))
    assert "rank-captem-response-needed" not in codes(candidate(plain, "capecitabine-temozolomide"))
    # A guideline's statement (NCCN: preferred when a response is needed) outranks one author's practice.
    same_category = [c.therapy for c in bulky.candidates if c.category == "2A" and c.preference == "preferred"]
    assert same_category[0] == "capecitabine-temozolomide"


def test_nec_is_out_of_scope(library):
    advice = advise_dict(library, case(**{"tumor.differentiation": "poor", "tumor.grade": 3, "tumor.ki67": 60}))
    assert advice.scope.code == "nec-out-of-scope"
    assert not advice.candidates
    assert all(e.reasons[0].code == "out-of-scope-nec-out-of-scope" for e in advice.excluded)


def test_high_grade_without_differentiation_is_not_assumed_well_differentiated(library):
    data = case(**{"tumor.grade": 3, "tumor.ki67": 40})
    del data["tumor"]["differentiation"]
    assert advise_dict(library, data).scope.code == "differentiation-unknown"


def test_well_differentiated_g3_gets_the_notice_and_ssa_caution(library):
    advice = advise_dict(library, case(**{"tumor.grade": 3, "tumor.ki67": 30, "disease.status": "new-diagnosis"}))
    assert any(w.code == "well-differentiated-g3" for w in advice.warnings)
    assert "ssa-in-grade-3" in caution_codes(candidate(advice, "octreotide-lar"))


def test_every_output_names_the_guideline_and_the_data_hash(library):
    advice = advise_dict(library, case())
    assert advice.guideline.id == "nccn-net" and advice.guideline.version == "4.2024"
    assert len(advice.guideline.digest) == 64

"""Story themes for the mediation, instrument, frontdoor and diamond templates (data: edit or extend freely).

The latent variable U of the instrument and frontdoor templates is named too: the question says it exists and
is unobserved, and never gives a number about it.
"""

from __future__ import annotations

from causalbridge.bench.generate.ladder.concepts import Concept as C
from causalbridge.bench.generate.ladder.concepts import Theme
from causalbridge.bench.generate.ladder.themes_simple import T

MEDIATION = (  # X -> M -> Y and X -> Y
    T(
        "smoking_pressure_heart",
        "mediation",
        X=C("smoking", "the person smokes", "the person does not smoke"),
        M=C("high blood pressure", "the person has high blood pressure", "the person has normal blood pressure"),
        Y=C("a heart attack", "the person has a heart attack", "the person has no heart attack"),
    ),
    T(
        "school_grades_job",
        "mediation",
        X=C("a good school", "the student attends a good school", "the student attends a weak school"),
        M=C("grades", "the student earns high grades", "the student earns low grades"),
        Y=C("a good job", "the student later gets a good job", "the student later gets a poor job"),
    ),
    T(
        "medication_pressure_stroke",
        "mediation",
        X=C("the medication", "the person takes the medication", "the person does not take the medication"),
        M=C("blood pressure", "the person's blood pressure is high", "the person's blood pressure is normal"),
        Y=C("a stroke", "the person has a stroke", "the person has no stroke"),
    ),
    T(
        "training_skills_promotion",
        "mediation",
        X=C("training", "the employee receives training", "the employee receives no training"),
        M=C("skills", "the employee's skills are strong", "the employee's skills are weak"),
        Y=C("promotion", "the employee is promoted", "the employee is not promoted"),
    ),
    T(
        "obesity_diabetes_lifespan",
        "mediation",
        X=C("obesity", "the person is obese", "the person has a normal weight"),
        M=C("diabetes", "the person has diabetes", "the person does not have diabetes"),
        Y=C("early death", "the person dies early", "the person lives long"),
    ),
    T(
        "price_demand_profit",
        "mediation",
        X=C("a price rise", "the company raises its prices", "the company keeps its prices"),
        M=C("demand", "demand for the product falls", "demand for the product holds"),
        Y=C("profit", "the company's profit rises", "the company's profit does not rise"),
    ),
    T(
        "bikelanes_cycling_pollution",
        "mediation",
        X=C("bike lanes", "the city builds bike lanes", "the city builds no bike lanes"),
        M=C("cycling", "many people cycle to work", "few people cycle to work"),
        Y=C("air quality", "the city's air is clean", "the city's air is polluted"),
    ),
    T(
        "reading_vocabulary_school",
        "mediation",
        X=C("reading at home", "the parents read to the child", "the parents do not read to the child"),
        M=C("vocabulary", "the child has a large vocabulary", "the child has a small vocabulary"),
        Y=C("school success", "the child does well at school", "the child does poorly at school"),
    ),
)

INSTRUMENT = (  # Z -> X, U -> X, U -> Y, X -> Y with U unobserved
    T(
        "proximity_college_income",
        "instrument",
        Z=C("living near a college", "the person grew up near a college", "the person grew up far from a college"),
        U=C("ability", "the person has high ability", "the person has modest ability"),
        X=C("college", "the person goes to college", "the person does not go to college"),
        Y=C("income", "the person earns a high income", "the person earns a low income"),
    ),
    T(
        "tax_smoking_birthweight",
        "instrument",
        Z=C("the cigarette tax", "the cigarette tax is high", "the cigarette tax is low"),
        U=C("lifestyle", "the mother has an unhealthy lifestyle", "the mother has a healthy lifestyle"),
        X=C("smoking in pregnancy", "the mother smokes", "the mother does not smoke"),
        Y=C("low birth weight", "the baby has a low birth weight", "the baby has a normal birth weight"),
    ),
    T(
        "assignment_drug_cholesterol",
        "instrument",
        Z=C("treatment assignment", "the patient is assigned the drug", "the patient is assigned a placebo"),
        U=C("health consciousness", "the patient is health-conscious", "the patient is not health-conscious"),
        X=C("taking the drug", "the patient takes the drug", "the patient does not take the drug"),
        Y=C("low cholesterol", "the patient has low cholesterol", "the patient has high cholesterol"),
    ),
    T(
        "lottery_service_earnings",
        "instrument",
        Z=C("the draft lottery", "the man is drafted by lottery", "the man is not drafted"),
        U=C("motivation", "the man is highly motivated", "the man is not very motivated"),
        X=C("military service", "the man serves in the military", "the man does not serve in the military"),
        Y=C("earnings", "the man has high later earnings", "the man has low later earnings"),
    ),
    T(
        "preference_drug_recovery",
        "instrument",
        Z=C("the doctor's preference", "the doctor prefers the new drug", "the doctor prefers the old drug"),
        U=C("frailty", "the patient is frail", "the patient is robust"),
        X=C("the new drug", "the patient gets the new drug", "the patient gets the old drug"),
        Y=C("recovery", "the patient recovers", "the patient does not recover"),
    ),
    T(
        "offer_program_reading",
        "instrument",
        Z=C("the program offer", "the school offers a reading program", "the school offers no reading program"),
        U=C("engaged parents", "the child's parents are engaged", "the child's parents are not engaged"),
        X=C("the reading program", "the child joins the reading program", "the child does not join the program"),
        Y=C("reading skill", "the child reads well", "the child reads poorly"),
    ),
    T(
        "letter_flushot_hospital",
        "instrument",
        Z=C("a reminder letter", "the person gets a reminder letter", "the person gets no reminder letter"),
        U=C("frailty", "the person is frail", "the person is robust"),
        X=C("a flu shot", "the person gets a flu shot", "the person gets no flu shot"),
        Y=C("flu hospitalisation", "the person is hospitalised with flu", "the person is not hospitalised"),
    ),
    T(
        "distance_walking_fitness",
        "instrument",
        Z=C("living nearby", "the worker lives close to work", "the worker lives far from work"),
        U=C("health consciousness", "the worker is health-conscious", "the worker is not health-conscious"),
        X=C("walking to work", "the worker walks to work", "the worker drives to work"),
        Y=C("fitness", "the worker is physically fit", "the worker is not physically fit"),
    ),
)

FRONTDOOR = (  # U -> X, U -> Y, X -> M -> Y with U unobserved
    T(
        "gene_smoking_tar_cancer",
        "frontdoor",
        U=C("a risk gene", "the person carries a risk gene", "the person carries no risk gene"),
        X=C("smoking", "the person smokes", "the person does not smoke"),
        M=C("tar deposits", "the person has tar deposits in the lungs", "the person has no tar deposits in the lungs"),
        Y=C("lung cancer", "the person develops lung cancer", "the person does not develop lung cancer"),
    ),
    T(
        "motivation_tutoring_practice_exam",
        "frontdoor",
        U=C("motivation", "the student is motivated", "the student is unmotivated"),
        X=C("tutoring", "the student enrols in tutoring", "the student does not enrol in tutoring"),
        M=C("practice", "the student completes the practice tests", "the student skips the practice tests"),
        Y=C("the exam result", "the student passes the exam", "the student fails the exam"),
    ),
    T(
        "wealth_advert_visit_purchase",
        "frontdoor",
        U=C("wealth", "the customer is wealthy", "the customer is not wealthy"),
        X=C("the advert", "the customer sees the advert", "the customer does not see the advert"),
        M=C("a store visit", "the customer visits the store", "the customer does not visit the store"),
        Y=C("a purchase", "the customer buys the product", "the customer does not buy the product"),
    ),
    T(
        "lifestyle_supplement_vitamin_health",
        "frontdoor",
        U=C("lifestyle", "the patient lives healthily", "the patient lives unhealthily"),
        X=C("supplements", "the patient takes vitamin supplements", "the patient takes no supplements"),
        M=C("vitamin level", "the patient's vitamin level is high", "the patient's vitamin level is low"),
        Y=C("good health", "the patient stays healthy", "the patient falls ill"),
    ),
    T(
        "ambition_course_certificate_promotion",
        "frontdoor",
        U=C("ambition", "the employee is ambitious", "the employee is not ambitious"),
        X=C("the course", "the employee takes the course", "the employee does not take the course"),
        M=C("the certificate", "the employee earns the certificate", "the employee earns no certificate"),
        Y=C("promotion", "the employee is promoted", "the employee is not promoted"),
    ),
    T(
        "affluence_solar_generation_bill",
        "frontdoor",
        U=C("affluence", "the household is affluent", "the household is not affluent"),
        X=C("solar panels", "the house has solar panels", "the house has no solar panels"),
        M=C("own electricity", "the house generates its own electricity", "the house generates no electricity"),
        Y=C("a low bill", "the electricity bill is low", "the electricity bill is high"),
    ),
    T(
        "experience_seed_resistance_yield",
        "frontdoor",
        U=C("experience", "the farmer is experienced", "the farmer is inexperienced"),
        X=C("the new seed", "the farmer plants the new seed", "the farmer plants the old seed"),
        M=C("disease resistance", "the crop resists disease", "the crop catches disease"),
        Y=C("the yield", "the yield is high", "the yield is low"),
    ),
    T(
        "care_navigation_route_punctuality",
        "frontdoor",
        U=C("carefulness", "the driver is careful", "the driver is careless"),
        X=C("a navigation app", "the driver uses a navigation app", "the driver uses no navigation app"),
        M=C("the fastest route", "the driver takes the fastest route", "the driver takes a slower route"),
        Y=C("punctuality", "the driver arrives on time", "the driver arrives late"),
    ),
)

DIAMOND = (  # X -> A -> Y and X -> B -> Y
    T(
        "captain_corporal_private_prisoner",
        "diamond",
        X=C("the captain's order", "the captain gives the order", "the captain gives no order"),
        A=C("the corporal's shot", "the corporal shoots", "the corporal does not shoot"),
        B=C("the private's shot", "the private shoots", "the private does not shoot"),
        Y=C("the prisoner's death", "the prisoner dies", "the prisoner survives"),
    ),
    T(
        "vaccine_reaction_immunity_survival",
        "diamond",
        X=C("vaccination", "the person is vaccinated", "the person is not vaccinated"),
        A=C("a vaccine reaction", "the person has a severe reaction", "the person has no severe reaction"),
        B=C("immunity", "the person is immune to smallpox", "the person is not immune to smallpox"),
        Y=C("survival", "the person survives smallpox", "the person dies of smallpox"),
    ),
    T(
        "costcut_prices_morale_profit",
        "diamond",
        X=C("cost cutting", "the company cuts costs", "the company does not cut costs"),
        A=C("lower prices", "the company's prices fall", "the company's prices stay the same"),
        B=C("low morale", "staff morale drops", "staff morale holds"),
        Y=C("profit", "the company's profit rises", "the company's profit does not rise"),
    ),
    T(
        "exercise_weight_sleep_wellbeing",
        "diamond",
        X=C("exercise", "the person exercises", "the person does not exercise"),
        A=C("weight loss", "the person loses weight", "the person does not lose weight"),
        B=C("good sleep", "the person sleeps well", "the person sleeps poorly"),
        Y=C("well-being", "the person feels healthy", "the person feels unwell"),
    ),
    T(
        "fueltax_driving_transit_congestion",
        "diamond",
        X=C("a fuel tax", "the city raises the fuel tax", "the city keeps the fuel tax"),
        A=C("less driving", "people drive less", "people drive as much as before"),
        B=C("transit funding", "the city funds more buses", "the city funds no extra buses"),
        Y=C("congestion", "traffic congestion falls", "traffic congestion does not fall"),
    ),
    T(
        "scholarship_work_books_graduation",
        "diamond",
        X=C("a scholarship", "the student gets a scholarship", "the student gets no scholarship"),
        A=C("fewer work hours", "the student works fewer hours at a job", "the student works long hours at a job"),
        B=C("textbooks", "the student buys the textbooks", "the student does without the textbooks"),
        Y=C("graduation", "the student graduates", "the student does not graduate"),
    ),
    T(
        "snow_ice_homestay_accidents",
        "diamond",
        X=C("heavy snow", "it snows heavily", "it does not snow heavily"),
        A=C("icy roads", "the roads are icy", "the roads are clear"),
        B=C("staying home", "most people stay at home", "most people go out"),
        Y=C("accidents", "there are many traffic accidents", "there are few traffic accidents"),
    ),
    T(
        "production_jobs_taxes_budget",
        "diamond",
        X=C("more production", "the factory expands production", "the factory keeps production level"),
        A=C("hiring", "the factory hires more workers", "the factory hires no more workers"),
        B=C("tax payments", "the factory pays more local tax", "the factory pays the same local tax"),
        Y=C("the town budget", "the town's budget grows", "the town's budget does not grow"),
    ),
)

MEDIATED_THEMES: tuple[Theme, ...] = (*MEDIATION, *INSTRUMENT, *FRONTDOOR, *DIAMOND)

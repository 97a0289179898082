"""Story themes for the chain, fork, collider and confounding templates (data: edit or extend freely).

Each theme gives a concept per node symbol of its template (see :data:`templates.TEMPLATES`); the causal story it
tells must agree with common sense, since anticommonsense mode reverses it. A clause must read well after
"When ...", "the probability that ..." and "Had it instead been that ...".
"""

from __future__ import annotations

from causalbridge.bench.generate.ladder.concepts import Concept as C
from causalbridge.bench.generate.ladder.concepts import Theme


def T(theme_id: str, template: str, **concepts: C) -> Theme:
    return Theme(theme_id, template, concepts)


CHAIN = (  # X -> M -> Y
    T(
        "smoking_tar_cancer",
        "chain",
        X=C("smoking", "the person smokes", "the person does not smoke"),
        M=C("tar deposits", "the person has tar deposits in the lungs", "the person has no tar deposits in the lungs"),
        Y=C("lung cancer", "the person develops lung cancer", "the person does not develop lung cancer"),
    ),
    T(
        "education_skill_salary",
        "chain",
        X=C("a college degree", "the person has a college degree", "the person has no college degree"),
        M=C("skill level", "the person has advanced skills", "the person has only basic skills"),
        Y=C("salary", "the person earns a high salary", "the person earns a low salary"),
    ),
    T(
        "rain_road_skid",
        "chain",
        X=C("rain", "it rains", "it does not rain"),
        M=C("a wet road", "the road is wet", "the road is dry"),
        Y=C("skidding", "the car skids", "the car does not skid"),
    ),
    T(
        "exercise_fitness_heart",
        "chain",
        X=C("regular exercise", "the person exercises regularly", "the person does not exercise regularly"),
        M=C("fitness", "the person is physically fit", "the person is not physically fit"),
        Y=C("heart health", "the person has a healthy heart", "the person has an unhealthy heart"),
    ),
    T(
        "fertilizer_growth_harvest",
        "chain",
        X=C("fertilizer", "the farmer uses fertilizer", "the farmer uses no fertilizer"),
        M=C("plant growth", "the plants grow tall", "the plants stay short"),
        Y=C("the harvest", "the harvest is large", "the harvest is small"),
    ),
    T(
        "study_knowledge_exam",
        "chain",
        X=C("studying", "the student studies", "the student does not study"),
        M=C("knowledge", "the student knows the material", "the student does not know the material"),
        Y=C("the exam result", "the student passes the exam", "the student fails the exam"),
    ),
    T(
        "drought_harvest_price",
        "chain",
        X=C("drought", "there is a drought", "there is no drought"),
        M=C("the wheat harvest", "the wheat harvest fails", "the wheat harvest succeeds"),
        Y=C("the bread price", "the price of bread rises", "the price of bread stays stable"),
    ),
    T(
        "vaccine_antibodies_flu",
        "chain",
        X=C("vaccination", "the person is vaccinated", "the person is not vaccinated"),
        M=C("antibodies", "the person has antibodies", "the person has no antibodies"),
        Y=C("flu", "the person catches the flu", "the person does not catch the flu"),
    ),
)

FORK = (  # X -> Y <- Z: two independent causes of Y (CLadder's "fork")
    T(
        "sprinkler_rain_grass",
        "fork",
        X=C("the sprinkler", "the sprinkler is on", "the sprinkler is off"),
        Z=C("rain", "it rains", "it does not rain"),
        Y=C("wet grass", "the grass is wet", "the grass is dry"),
    ),
    T(
        "training_weather_race",
        "fork",
        X=C("hard training", "the runner trains hard", "the runner does not train hard"),
        Z=C("good weather", "the weather is good on race day", "the weather is bad on race day"),
        Y=C("winning", "the runner wins the race", "the runner loses the race"),
    ),
    T(
        "candle_lamp_light",
        "fork",
        X=C("the candle", "the candle is lit", "the candle is not lit"),
        Z=C("the lamp", "the lamp is on", "the lamp is off"),
        Y=C("room brightness", "the room is bright", "the room is dark"),
    ),
    T(
        "water_sun_plant",
        "fork",
        X=C("watering", "the gardener waters the plant", "the gardener does not water the plant"),
        Z=C("sunlight", "the plant gets sunlight", "the plant gets no sunlight"),
        Y=C("plant growth", "the plant grows", "the plant does not grow"),
    ),
    T(
        "price_competitor_sales",
        "fork",
        X=C("a price cut", "the shop cuts its prices", "the shop keeps its prices"),
        Z=C("a competitor closing", "a competitor closes", "no competitor closes"),
        Y=C("sales", "the shop's sales rise", "the shop's sales do not rise"),
    ),
    T(
        "diet_parents_height",
        "fork",
        X=C("a nutritious diet", "the child eats a nutritious diet", "the child eats a poor diet"),
        Z=C("tall parents", "the child's parents are tall", "the child's parents are short"),
        Y=C("height", "the child grows tall", "the child stays short"),
    ),
    T(
        "heater_sun_warmth",
        "fork",
        X=C("the heater", "the heater is on", "the heater is off"),
        Z=C("sunshine", "the sun shines", "the sun does not shine"),
        Y=C("warmth", "the house is warm", "the house is cold"),
    ),
    T(
        "traffic_alarm_late",
        "fork",
        X=C("heavy traffic", "the traffic is heavy", "the traffic is light"),
        Z=C("a failed alarm clock", "the alarm clock fails", "the alarm clock rings"),
        Y=C("lateness", "the employee arrives late", "the employee arrives on time"),
    ),
)

COLLIDER = (  # X -> C <- Y: X and Y are independent causes of C
    T(
        "looks_talent_fame",
        "collider",
        X=C("good looks", "the actor is attractive", "the actor is unattractive"),
        Y=C("talent", "the actor is talented", "the actor is untalented"),
        C=C("fame", "the actor is famous", "the actor is not famous"),
    ),
    T(
        "talent_effort_admission",
        "collider",
        X=C("talent", "the student is talented", "the student is not talented"),
        Y=C("hard work", "the student works hard", "the student does not work hard"),
        C=C("elite admission", "the student is admitted to an elite college", "the student is not admitted"),
    ),
    T(
        "flu_fracture_hospital",
        "collider",
        X=C("flu", "the person has the flu", "the person does not have the flu"),
        Y=C("a broken bone", "the person has a broken bone", "the person has no broken bone"),
        C=C("hospitalisation", "the person is in hospital", "the person is not in hospital"),
    ),
    T(
        "food_location_survival",
        "collider",
        X=C("food quality", "the restaurant serves great food", "the restaurant serves mediocre food"),
        Y=C("location", "the restaurant has a great location", "the restaurant has a poor location"),
        C=C("survival", "the restaurant survives its first year", "the restaurant closes in its first year"),
    ),
    T(
        "skills_connections_hiring",
        "collider",
        X=C("qualifications", "the applicant is well qualified", "the applicant is poorly qualified"),
        Y=C("connections", "the applicant knows someone at the firm", "the applicant knows nobody at the firm"),
        C=C("hiring", "the applicant is hired", "the applicant is not hired"),
    ),
    T(
        "burglary_earthquake_alarm",
        "collider",
        X=C("a burglary", "a burglar breaks in", "no burglar breaks in"),
        Y=C("an earthquake", "an earthquake occurs", "no earthquake occurs"),
        C=C("the alarm", "the house alarm goes off", "the house alarm stays silent"),
    ),
    T(
        "battery_fuel_start",
        "collider",
        X=C("a dead battery", "the car battery is dead", "the car battery is charged"),
        Y=C("an empty tank", "the fuel tank is empty", "the fuel tank has fuel"),
        C=C("a failed start", "the car fails to start", "the car starts"),
    ),
    T(
        "grades_sports_scholarship",
        "collider",
        X=C("excellent grades", "the student has excellent grades", "the student has average grades"),
        Y=C("sporting talent", "the student excels at sports", "the student is average at sports"),
        C=C("a scholarship", "the student receives a scholarship", "the student receives no scholarship"),
    ),
)

CONFOUNDING = (  # Z -> X, Z -> Y, X -> Y
    T(
        "age_exercise_heart",
        "confounding",
        Z=C("old age", "the person is elderly", "the person is young"),
        X=C("regular exercise", "the person exercises regularly", "the person does not exercise regularly"),
        Y=C("heart disease", "the person has heart disease", "the person has no heart disease"),
    ),
    T(
        "severity_drug_recovery",
        "confounding",
        Z=C("illness severity", "the illness is severe", "the illness is mild"),
        X=C("the drug", "the patient receives the drug", "the patient does not receive the drug"),
        Y=C("recovery", "the patient recovers", "the patient does not recover"),
    ),
    T(
        "wealth_school_university",
        "confounding",
        Z=C("family wealth", "the family is wealthy", "the family is poor"),
        X=C("private schooling", "the child attends a private school", "the child attends a public school"),
        Y=C("university entry", "the child goes to university", "the child does not go to university"),
    ),
    T(
        "stone_surgery_recovery",
        "confounding",
        Z=C("stone size", "the kidney stone is large", "the kidney stone is small"),
        X=C("open surgery", "the patient has open surgery", "the patient has keyhole surgery"),
        Y=C("recovery", "the patient recovers", "the patient does not recover"),
    ),
    T(
        "heat_swimming_sunburn",
        "confounding",
        Z=C("hot weather", "the weather is hot", "the weather is cool"),
        X=C("swimming outdoors", "the person swims outdoors", "the person does not swim outdoors"),
        Y=C("sunburn", "the person gets sunburned", "the person does not get sunburned"),
    ),
    T(
        "size_advertising_sales",
        "confounding",
        Z=C("company size", "the company is large", "the company is small"),
        X=C("TV advertising", "the company advertises on TV", "the company does not advertise on TV"),
        Y=C("sales growth", "the company's sales grow", "the company's sales do not grow"),
    ),
    T(
        "motivation_tutoring_exam",
        "confounding",
        Z=C("motivation", "the student is motivated", "the student is unmotivated"),
        X=C("tutoring", "the student attends tutoring", "the student does not attend tutoring"),
        Y=C("the exam result", "the student passes the exam", "the student fails the exam"),
    ),
    T(
        "soil_irrigation_harvest",
        "confounding",
        Z=C("fertile soil", "the farm has fertile soil", "the farm has poor soil"),
        X=C("irrigation", "the farmer irrigates the fields", "the farmer does not irrigate the fields"),
        Y=C("the harvest", "the harvest is large", "the harvest is small"),
    ),
)

SIMPLE_THEMES: tuple[Theme, ...] = (*CHAIN, *FORK, *COLLIDER, *CONFOUNDING)

"""Topic templates of ordinary prompts: {slot} placeholders are filled by `texts.fill`."""

from __future__ import annotations

TOPICS: dict[str, tuple[float, tuple[str, ...]]] = {
    "cooking": (
        6,
        (
            "How do I make {dish} without {ing}?",
            "What can I cook tonight with {ing}, {ing2} and {ing3}?",
            "Give me a {mins}-minute weeknight recipe for {dish}.",
            "Can I substitute {ing} for {ing2} in {dish}?",
            "Scale my {dish} recipe from {n} to {n2} servings.",
            "Why did my {dish} turn out dry?",
            "Plan {n} vegetarian dinners that use {ing} and {ing2}.",
            "How long does cooked {dish} keep in the fridge?",
        ),
    ),
    "travel": (
        5,
        (
            "Plan a {days}-day itinerary for {city} on a budget.",
            "Is {city} or {city2} better for a trip in March?",
            "What should I pack for {days} days in {city}?",
            "Best way to get from the airport to downtown {city}?",
            "What local dishes should I try in {city}?",
            "Suggest day trips from {city} reachable by train.",
            "I have a {n}-hour layover in {city}. Is it worth leaving the airport?",
        ),
    ),
    "code": (
        14,
        (
            "How do I {ptask} in {lang}?",
            "Write a {lang} function to {ptask}.",
            "Explain {concept} in {lang} with a short example.",
            "What is the idiomatic way to {ptask} in {lang}?",
            "Convert this idea to {lang2}: {ptask}.",
            "Compare {concept} and {concept2}.",
            "I'm learning {lang}. Can you explain {concept}?",
            "Write unit tests in {lang} for a function that does this: {ptask}.",
            "What's the time complexity of the usual way to {ptask}?",
            "Review my approach: I want to {ptask} in {lang} using a loop. Is there a better way?",
        ),
    ),
    "sql": (
        5,
        (
            "Write a SQL query that returns the top {n} {table} by {metric} for {period}.",
            "How do I count {table} per {col} in PostgreSQL?",
            "SQL: find {table} where {col} is null but {col2} is set.",
            "Why is my query on {table} slow when filtering by {col}?",
            "Write a query joining {table} and customers to get {metric} per {col}.",
            "How do I remove duplicate rows in {table} keeping the latest {col}?",
        ),
    ),
    "math": (
        7,
        (
            "{name} has {big} {item} and sells {n2} each day for {n} days. How many are left?",
            "A shop sells {item} at ${price} each. How much do {n2} cost with a {pct}% discount?",
            "{name} earns ${n2} an hour {job}. How much for {n} hours a week over {days} weeks?",
            "If a train travels {big} km in {n} hours, what is its average speed?",
            "What is {pct}% of {k}?",
            "Solve for x: {n}x + {n2} = {big}.",
            "A recipe needs {n} cups of flour for {n2} cookies. How much flour for {big} cookies?",
            "{name} and {name2} share {big} {item} in the ratio {n}:{small}. How many does each get?",
            "If I invest ${k} at {rate}% annual interest for {n} years, how much will I have?",
        ),
    ),
    "history": (
        4,
        (
            "What caused {hist}?",
            "Summarize {hist} in {n} bullet points.",
            "How did {hist} affect ordinary people?",
            "What are common misconceptions about {hist}?",
            "Compare {hist} with what happened around {year}.",
        ),
    ),
    "science": (
        6,
        (
            "Explain {bio} simply.",
            "How does {phys} work?",
            "Explain {phys} to a {age}-year-old.",
            "Give me a quiz with {n} questions on {bio}.",
            "What experiments first demonstrated {phys}?",
            "Why is {bio} important for medicine?",
            "What are open research questions about {bio}?",
            "Write a {n}-paragraph summary of {phys} for a school report.",
            "What's a good analogy for {phys}?",
        ),
    ),
    "finance": (
        4,
        (
            "Should I put money in {fin} or {fin2}?",
            "Explain {fin} like I'm new to investing.",
            "I earn ${k} a year. How should I think about {fin}?",
            "What are the risks of {fin}?",
            "Make a monthly budget for ${k} a year with a {pct}% savings goal.",
        ),
    ),
    "email": (
        6,
        (
            "Write an email to {email_to} {email_why}.",
            "Draft a short, polite message to {email_to} {email_why}.",
            "Make this email sound more professional: hi, just checking about the thing from last week",
            "Rewrite my note to {email_to} so it's friendlier; I'm {email_why}.",
        ),
    ),
    "poetry": (
        3,
        (
            "Write a {form} about {subject}.",
            "Write a {form} about {subject} for {name}'s birthday.",
            "Give me {n} lines of verse about {subject}.",
            "Write song lyrics about {subject} in the style of a folk ballad.",
        ),
    ),
    "translate": (
        4,
        (
            "Translate into {hlang}: {phrase}",
            "How do you say '{phrase}' in {hlang}?",
            "Is this {hlang} translation correct for '{phrase}'?",
            "Translate to {hlang} and explain the grammar: {phrase}",
        ),
    ),
    "data": (
        4,
        (
            "How should I analyze {dataset} to find trends?",
            "Which chart is best for {dataset}?",
            "Write pandas code to compute {metric} from {dataset}.",
            "What statistical test should I use on {dataset}?",
            "How do I detect outliers in {dataset}?",
        ),
    ),
    "health": (
        3,
        (
            "What helps with {health}?",
            "Is it normal to have {health} after {n} weeks?",
            "Create a {n}-week plan for {health}.",
            "When should I see a doctor about {health}?",
        ),
    ),
    "career": (
        4,
        (
            "How do I move from {role} to {role2}?",
            "Write a cover letter for a {role} position.",
            "What skills does a {role} need in {year}?",
            "Prepare me for a {role} interview with {n} questions.",
            "Improve this resume bullet for a {role}: managed {n2} projects.",
            "Negotiating salary as a {role}: tips?",
        ),
    ),
    "misc": (
        5,
        (
            "My {gadget} keeps disconnecting. What should I try?",
            "Recommend {n} books for getting into {hobby}.",
            "How do I start {hobby} at {age}?",
            "Give me {n} gift ideas for {name} who loves {hobby}.",
            "Summarize the pros and cons of buying a used {gadget}.",
            "Write a short story about {name} in {city}.",
            "Plan a birthday party for a {age}-year-old who likes {hobby}.",
        ),
    ),
}

"""Word lists the project's own text generators combine (all written for this project)."""

from __future__ import annotations

NAMES = (
    "Maya Liam Aisha Noah Priya Lucas Sofia Mateo Yuki Omar Elena Kofi Hana Diego Chloe Arjun Ines Tomas "
    "Zara Felix Amara Jonas Leila Ravi Nora Hugo Mei Samuel Lena Kenji Fatima Oscar Clara Ibrahim Ada Mario "
    "Sven Lucia Tariq Emma Pablo Nadia Victor Grace Ananya Jakub Rosa Ethan Layla Marco"
).split()

CITIES = (
    "Lisbon|Kyoto|Vancouver|Marrakech|Prague|Buenos Aires|Cape Town|Reykjavik|Hanoi|Istanbul|Seoul|Oaxaca|"
    "Edinburgh|Tbilisi|Copenhagen|Singapore|Melbourne|Bologna|Cusco|Zanzibar|Krakow|Montreal|Porto|Bali|"
    "Vienna|Chiang Mai|Dubrovnik|Nairobi|Queenstown|Seville|Tallinn|Amsterdam|Mexico City|Bangalore|Boston"
).split("|")

DISHES = (
    "lasagna|pad thai|shakshuka|banana bread|chicken tikka masala|ramen|paella|chili con carne|falafel|"
    "risotto|sourdough bread|beef stew|pancakes|dal|tacos al pastor|moussaka|carbonara|pho|bibimbap|"
    "quiche|brownies|gazpacho|butter chicken|focaccia|mac and cheese|lentil soup|tiramisu|empanadas|"
    "stir-fried tofu|apple pie|gnocchi|jambalaya|cinnamon rolls|miso soup|couscous salad"
).split("|")

INGREDIENTS = (
    "eggs|butter|milk|gluten|onions|garlic|cream|sugar|soy sauce|cilantro|tomatoes|rice|chickpeas|spinach|"
    "mushrooms|coconut milk|feta|lemon|ginger|zucchini|sweet potatoes|quinoa|bell peppers|yogurt|honey|"
    "oats|almond flour|black beans|parmesan|kale|leftover chicken|frozen peas|canned tuna|tahini"
).split("|")

PROG_LANGS = (
    "Python|JavaScript|TypeScript|Go|Rust|Java|C#|C++|Kotlin|Ruby|PHP|Swift|Scala|Bash|R|Elixir|Haskell"
).split("|")

PROG_TASKS = (
    "reverse a linked list|parse a CSV file with quoted fields|debounce a function|read a large file line by "
    "line|retry an HTTP request with exponential backoff|merge two sorted arrays|validate an email address|"
    "flatten a nested list|find duplicate files by hash|implement an LRU cache|paginate results from a REST "
    "API|compute a moving average|serialize an object to JSON|run tasks concurrently with a limit|parse "
    "command-line arguments|detect a cycle in a graph|convert a timestamp between time zones|write a binary "
    "search|group records by key|stream a response to the client|hash a password securely|deduplicate a list "
    "while keeping order|implement a trie|rate limit function calls|watch a directory for changes|compress a "
    "folder into a zip|schedule a job every night|read environment variables with defaults|test a function "
    "that calls an external API|upload a file to S3|connect to PostgreSQL with a connection pool|build a "
    "simple REST endpoint|sort objects by two fields|generate a UUID|resize an image"
).split("|")

CONCEPTS = (
    "closures|async/await|generics|dependency injection|memoization|recursion|the event loop|garbage "
    "collection|"
    "ownership and borrowing|interfaces|decorators|type inference|immutability|race conditions|database "
    "indexes|transactions and isolation levels|REST vs GraphQL|OAuth 2.0|Docker layers|Kubernetes pods|"
    "CORS errors|big-O notation|hash maps|virtual environments|git rebase vs merge|unit vs integration tests|"
    "websockets|caching strategies|message queues|CI pipelines|regular expressions|pointers|mutexes"
).split("|")

TABLES = "orders customers invoices employees products sessions payments shipments tickets events".split()
COLUMNS = (
    "created_at|amount|status|region|category|customer_id|total|quantity|country|department|salary|"
    "signup_date|price|last_login|priority|duration"
).split("|")
METRICS = "total revenue|order count|average basket size|refund rate|active users|median duration".split("|")
PERIODS = "last month|the past 7 days|each quarter of 2025|this year|the last 90 days|every weekday".split(
    "|"
)

HISTORY = (
    "the fall of the Western Roman Empire|the French Revolution|the Meiji Restoration|the Silk Road trade|"
    "the Industrial Revolution in Britain|the Cuban Missile Crisis|the printing press|the Black Death|"
    "the partition of India|the Apollo program|the Ottoman Empire's decline|the Hanseatic League|"
    "the Renaissance in Florence|the abolition of slavery in Brazil|the Treaty of Westphalia|the Cold War|"
    "the Inca road system|the Berlin Wall's fall|the Great Depression|the Mongol Empire|the Reformation"
).split("|")

BIOLOGY = (
    "photosynthesis|the Krebs cycle|mitosis vs meiosis|vaccine-induced immunity|CRISPR gene editing|"
    "natural selection|neuron signalling|the nitrogen cycle|the gut microbiome|protein folding|enzyme "
    "catalysis|"
    "DNA replication|antibiotic resistance|circadian rhythms|tardigrade survival|coral bleaching|"
    "mitochondria|the lymphatic system|epigenetics|bee navigation"
).split("|")

PHYSICS = (
    "quantum entanglement|Rayleigh scattering|the transistor|special relativity|entropy|rainbow formation|"
    "black holes|superconductivity|the Doppler effect|the laser|nuclear fusion|Newton's third law|buoyancy|"
    "magnetism|the photoelectric effect|dark matter|tidal forces|GPS time correction|heat conduction|"
    "the density anomaly of water"
).split("|")

FINANCE = (
    "index funds|a Roth IRA|compound interest|dollar-cost averaging|bond yields|inflation|an emergency fund|"
    "mortgage refinancing|capital gains tax|ETFs vs mutual funds|credit scores|a 401(k) match|stock options|"
    "budgeting with the 50/30/20 rule|paying off debt with the avalanche method|currency hedging"
).split("|")

EMAIL_TO = (
    "my landlord|my manager|a client|my team|a recruiter|a professor|a supplier|customer support|HR".split(
        "|"
    )
)
EMAIL_WHY = (
    "asking for a deadline extension|declining a meeting politely|following up on an unpaid invoice|"
    "requesting a raise|reporting a broken heater|apologizing for a late delivery|introducing a new "
    "colleague|"
    "asking for a reference letter|announcing a project delay|negotiating a lower price|thanking them for "
    "their help|requesting time off|cancelling a subscription"
).split("|")

POEM_FORMS = "haiku|sonnet|limerick|free-verse poem|short poem|rhyming poem for kids|villanelle".split("|")
POEM_SUBJECTS = (
    "autumn leaves|a rainy Monday|my grandmother's kitchen|the ocean at night|a lost umbrella|coffee|"
    "moving to a new city|a cat who hates Mondays|the first snow|friendship|a server outage|graduation day|"
    "a lighthouse|spring cleaning|the last train home"
).split("|")

HUMAN_LANGS = (
    "Spanish|French|German|Japanese|Portuguese|Italian|Korean|Dutch|Polish|Turkish|Hindi|Arabic".split("|")
)
PHRASES = (
    "Where is the nearest train station?|Could you send me the report by Friday?|Our meeting is moved to "
    "Tuesday.|I'm allergic to peanuts.|Thank you for your patience.|The package arrived damaged.|How much "
    "does this cost?|Please keep the change.|We are looking forward to working with you.|I lost my passport."
    "|Can I pay by card?|The Wi-Fi password is on the fridge.|Happy birthday, I hope you have a great day!"
).split("|")

HEALTH = (
    "lower back pain from sitting|trouble sleeping|a sprained ankle|seasonal allergies|high cholesterol|"
    "vitamin D deficiency|starting to run at 40|intermittent fasting|a persistent cough|eye strain from "
    "screens|migraines|knee pain when cycling|staying hydrated|iron-rich foods|reducing caffeine"
).split("|")

ROLES = (
    "data analyst|nurse|software engineer|teacher|product manager|graphic designer|accountant|electrician|"
    "UX researcher|marketing coordinator|civil engineer|pharmacist|sales rep|barista|lawyer|data scientist"
).split("|")

DATASETS = (
    "monthly sales by store|website traffic logs|survey responses|sensor temperature readings|customer "
    "churn data|hospital admission records|A/B test results|delivery times by courier|energy usage per "
    "household|student exam scores|app reviews|stock prices"
).split("|")

ITEMS = "apples|pencils|stickers|cupcakes|marbles|books|tickets|plants|cookies|bottles|shirts|candles".split(
    "|"
)
JOBS = "baking|tutoring|dog walking|painting fences|selling lemonade|babysitting|mowing lawns".split("|")

GADGETS = "laptop|router|phone|printer|smart TV|e-reader|headphones|dishwasher|car battery|3D printer".split(
    "|"
)
HOBBIES = (
    "chess|guitar|rock climbing|watercolor painting|bread baking|bird watching|knitting|photography".split(
        "|"
    )
)

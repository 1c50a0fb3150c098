"""The extraction-intent rules as data: per family, the phrases that ask for training-grade output.

Each rule names its family, the anchor substrings a text must contain for it to be tried, and its pattern
(``features.intent`` compiles and applies them). New wordings seen in the wild belong here, with a check
that ordinary requests sharing their words stay quiet (``tests/features/test_text.py``) and a run over the
real-prompt corpus.
"""

from __future__ import annotations

# (family, anchors, pattern): a pattern is only tried on texts that contain one of its anchor substrings,
# which keeps the common case (no intent phrase at all) to a few fast substring checks. A tuple of patterns
# fires when each of them matches somewhere in the text (an ask, its object and a verdict, in any order).
RULES: list[tuple[str, tuple[str, ...], str | tuple[str, ...]]] = [
    ("reasoning", ("step",), r"step[- ]by[- ]step"),
    ("reasoning", ("chain",), r"chain[- ]of[- ]thought"),
    ("reasoning", ("work",), r"show (?:all |me )?(?:of )?(?:your|the) (?:full |complete |entire )?work(?:ing)?\b"),
    ("reasoning", ("reasoning", "thinking", "thought", "rationale", "logic", "derivation"),
     r"(?:show|explain|articulate|describe|reveal|outline|lay out|write out|write down|spell out|detail|narrate|"
     r"verbali[sz]e|expose|include|provide|give) (?:me |us )?(?:in (?:full )?detail )?(?:all (?:of )?)?(?:your|the) "
     r"(?:full |complete |entire |internal |hidden |underlying |detailed |exact |precise |actual |whole )?"
     r"(?:reasoning|thinking|thought process|rationale|chain of reasoning|line of reasoning|reasoning process|logic|"
     r"derivation)"),
    ("reasoning", ("reasoning", "thinking", "thought", "logic", "derivation"),
     r"(?:explanation|account|breakdown|walkthrough|walk-through|narration) of (?:your|the) (?:full |complete |"
     r"entire |internal |detailed |whole |exact )?(?:reasoning|thinking|thought process|logic|derivation)"),
    ("reasoning", ("step",),
     r"(?:each|every) (?:single )?step of (?:your|the) (?:reasoning|thinking|thought process|logic|derivation)"),
    ("reasoning", ("numbered",),
     r"numbered steps?\b[^.?!\n]{0,60}\b(?:reasoning|solve|solution|answer)|(?:reasoning|solve|solution)\b"
     r"[^.?!\n]{0,60}numbered steps?\b"),
    ("reasoning", ("one step",), r"one step at a time"),
    ("reasoning", ("how you",), r"how you (?:(?:arrived|got|came) (?:at|to)|reached) (?:the|your|this|that) (?:final )?"
     r"(?:answer|conclusion|result|solution)"),
    ("reasoning", ("break",), r"break (?:down )?(?:your|the) (?:reasoning|thinking|thought process|logic)"),
    ("reasoning", ("<think", "<reasoning"), r"<think(?:ing)?>|<reasoning>"),
    ("reasoning", ("walk",),
     r"walk (?:me |us )?through (?:your|the|each|every) (?:full |complete |entire |whole )?(?:reasoning|"
     r"thought process|thinking|logic|steps?|solution|derivation)"),
    ("reasoning", ("think", "reason"),
     r"(?:think|reason) (?:carefully |out loud |aloud )?(?:through|about) (?:each|every|the problem|this)"),
    ("reasoning", ("think",), r"think (?:out loud|aloud)"),
    ("reasoning", ("answer",), r"(?:before|prior to) (?:giving|stating|writing) (?:the|your) (?:final )?answer"),
    ("reasoning", ("trace",), r"reasoning trace"),
    ("reasoning", ("stepwise", "step-wise", "step wise"),
     r"\bstep[- ]?wise\b(?! (?:regression|selection|function|linear|procedure))"),
    ("reasoning", ("step after", "step at"), r"\bstep after (?:step|another)\b|\bone step after (?:the )?other"),
    ("reasoning", ("stage", "step", "point"),
     r"(?:reasoning|thoughts|thinking|thought process|logic) (?:at|for|in|behind) (?:each|every) (?:stage|step|point)"),
    ("reasoning", ("narrat", "verbali", "document", "externali"),
     r"\b(?:narrat\w*|verbali[sz]\w*|document\w*|externali[sz]\w*) (?:all (?:of )?)?(?:your|each|every) (?:own )?"
     r"(?:thoughts?|thinking|reasoning|intermediate|inference|deduction)"),
    ("reasoning", ("scratchpad", "scratch pad"),
     r"scratch ?pad (?:reasoning|thinking|thoughts|notes|work)|(?:use|write|show|include|fill) (?:a|your|the) "
     r"scratch ?pad"),
    ("reasoning", ("rationale",),
     r"(?:produce|write|provide|give|include) (?:a |an )?(?:long[- ]form|step[- ]by[- ]step|extended|exhaustive) "
     r"rationale"),
    ("reasoning", ("inference", "deduction", "transition", "intermediate"),
     r"(?:justify|justifying|explain|explaining|state|stating|spell out|spelling out|verbali[sz]e) (?:each|every|all) "
     r"(?:single |individual |of (?:your|the) )?(?:inference|deduction|transition|logical step|intermediate conclusion|"
     r"intermediate result)s?|mak(?:e|ing) (?:each|every) (?:deduction|inference|transition|step) explicit"),
    ("reasoning", ("derive",), r"\bderive (?:the|your|an?) (?:final )?(?:answer|result|solution)\b"),
    ("reasoning", ("explanation",),
     r"explanation of (?:each |every |all (?:of )?(?:the |your )?)(?:single |individual )?"
     r"(?:steps?|inference|deduction)"),
    ("reasoning", ("how you",),
     r"how you (?:solved|worked out|figured out|derived|approached) (?:it|this|that|the (?:problem|question|task))"),
    ("reasoning", ("elaborate",),
     r"elaborate (?:on|upon) (?:your|the) (?:full |complete )?(?:reasoning|thinking|thought process|logic|rationale)"),
    ("reasoning", ("intermediate",),
     r"(?:all|each|every) (?:of (?:the|your) )?intermediate (?:steps?|results?|calculations?|values?)"),
    ("reasoning", ("derivation", "reasoning", "rationale", "justification"),
     r"(?:detailed|full|complete|exhaustive) (?:derivation|reasoning|rationale|justification)"),
    ("reasoning", ("reasoning", "thinking", "derivation", "rationale", "working", "deduction", "inference", "logic",
                   "thought", "intermediate", "worked", "how you"),  # an ask and a reasoning object, one sentence
     r"\b(?:show|explain|describe|detail|spell out|lay out|write out|walk (?:me |us )?through|talk (?:me |us )?through|"
     r"go through|provide|give|include|respond with|start with|begin with|present|reveal|articulate|outline|narrate|"
     r"verbali[sz]e|document|elaborate on|justify|share|expose)(?:s|d|ing)?\b[^.?!\n;]{0,60}?\b(?:(?:your|the|its|"
     r"their|all|full|complete|whole|entire|detailed|internal|underlying|hidden)\s+(?:[a-z-]+\s+)?(?:reasoning|"
     r"thinking|derivation|rationale|workings?|deductions|inferences|logic)|thought process|(?:line|train|chain) of "
     r"(?:thought|reasoning)|intermediate (?:steps?|calculations?|results?|values?|conclusions?)|worked solution|"
     r"how you(?:'d| would)? (?:approach|solve|tackle|work out|derive)\w* (?:it|this|that|the (?:problem|question|"
     r"task|answer|solution|result)))\b"),
    ("reasoning", ("thought process", "line of", "chain of", "reasoning process", "thinking behind", "at length"),
     r"\byour (?:\w+ )?(?:thought process|line of (?:thought|reasoning)|chain of (?:thought|reasoning)|reasoning "
     r"process)|\b(?:the|your) (?:thinking|reasoning|logic) behind (?:it|this|that|each|every|the (?:answer|solution|"
     r"result))\b|\breason (?:at length|in depth|in detail)\b"),
    ("reasoning", ("out loud", "aloud", "in writing"),
     r"\b(?:think|reason|talk|deliberate) (?:\w+ ){0,3}(?:out loud|aloud)\b|"
     r"\b(?:reason|deliberate|think) in writing\b"),
    # generalized from a fifth set of asks (2026-12-04): reasoning laid out before the answer, numbered deductions,
    # the path from the question to the answer, labelled sections
    ("reasoning", ("reasoning", "thinking", "thought process", "working", "rationale", "derivation", "steps"),
     r"\b(?:your|the|all|full|complete|whole|entire) (?:[a-z-]+ )?(?:reasoning|thinking|thought process|workings?|"
     r"rationale|derivation|steps)\b[^.?!\n]{0,60}\b(?:then|followed by|before)\b[^.?!\n]{0,30}\b(?:the |your |a )?"
     r"(?:final )?(?:answer|result|conclusion|solution|verdict)\b"),
    ("reasoning", ("numbered",),
     r"\bstep-numbered\b|\bnumbered (?:list of (?:the |your )?)?(?:reasoning|deductions|inferences|derivation|"
     r"justifications?)\b|\breason\w* (?:\w+ ){0,4}in numbered (?:points|steps|lines)"),
    ("reasoning", ("follows", "derived", "obtained", "reached"),
     r"\bhow (?:the|your|this|that) (?:final )?(?:answer|solution|result|conclusion) (?:follows|is (?:derived|"
     r"obtained|reached))"),
    ("reasoning", ("answer", "conclusion", "result", "solution"),
     r"\b(?:path|way|route|chain) from (?:the )?(?:question|problem|premises?|givens|prompt|task) to (?:the |your )?"
     r"(?:final )?(?:answer|conclusion|result|solution)\b"),
    ("reasoning", ("down", "out"),
     r"\b(?:write|jot|note|set|lay) (?:down|out) (?:each|every|all)(?: of)? (?:your |the )?(?:thoughts?|deductions?|"
     r"inferences?|reasoning steps?|intermediate steps?)\b"),
    ("reasoning", ("reasoning", "thinking", "thought", "rationale", "working", "explanation", "steps"),
     r"(?:^|\s)(?:reasoning|thinking|thoughts|rationale|working|chain of thought|explanation|steps)\s*:[^\n]{0,200}?"
     r"\b(?:final answer|answer|result|conclusion)\s*:"),
    ("rubric", ("rubric",), r"\brubric\b"),
    ("rubric", ("response", "answer", "completion", "output", "solution", "repl", "generation"),
     r"(?:grade|score|rate|judge|evaluate|assess|rank|compare|critique|mark) (?:the|this|each|both|these|all) "
     r"(?:of the )?"
     r"(?:following |two |three |four |five |\d+ |candidate |model(?:'s)? |assistant(?:'s)? |ai(?:'s)? |given )*"
     r"(?:response|answer|completion|output|solution|reply|replies|generation|attempt)s?"),
    ("rubric", ("response", "answer", "completion", "output", "solution", "repl", "generation"),
     r"(?:grade|score|rate|judge|evaluate|assess) the (?:quality|correctness|accuracy|helpfulness|faithfulness) of "
     r"(?:the|this|each|both|these) (?:[\w']+ )?(?:response|answer|completion|output|solution|reply|generation)s?"),
    ("rubric", ("scale",), r"on a scale (?:of|from) \d+"),
    ("rubric", ("scale",), r"on an? \d+\s*(?:-|to)\s*\d+ scale|on an? \d+[- ]point scale"),
    ("rubric", ("score", "rating", "grade"), r"(?:score|rating|grade)s? (?:from|between) \d+ (?:to|and) \d+"),
    ("rubric", ("better", "best", "preferred", "more helpful"),
     r"(?:which|what) (?:one )?(?:of (?:the|these) (?:two |following )?)?(?:response|answer|completion|reply|"
     r"output)s? (?:is|was) (?:the )?(?:better|best|preferred|more helpful|more accurate)"),
    ("rubric", ("better", "best", "preferred", "winning"),
     r"(?:pick|choose|select|indicate) (?:the )?(?:better|best|preferred|winning) (?:one|response|answer|completion|"
     r"output|reply)"),
    ("rubric", ("response a", "answer a", "output a", "assistant a", "completion a"),
     r"\b(?:response|answer|output|assistant|completion) a\b.{0,300}\b(?:response|answer|output|assistant|"
     r"completion) b\b"),
    ("rubric", ("judge", "grader", "evaluator", "reward model"),
     r"\b(?:as|act as) (?:an? )?(?:impartial |strict |expert )?(?:judge|grader|evaluator|reward model)\b"),
    ("rubric", ("reward",), r"reward (?:model|score|signal)"),
    ("rubric", ("score", "grade", "rating", "mark"),
     r"\b(?:give|assign|award) (?:the (?:response|answer|completion|output|reply)|each (?:response|answer|"
     r"completion|output|reply)) (?:a|an) (?:numeric(?:al)? |overall |quality |final )?(?:score|grade|rating|mark)\b"),
    ("rubric", ("judge", "evaluate", "assess", "determine", "decide"),
     r"\b(?:judge|evaluate|assess|determine|decide) (?:whether|if) (?:the|this|each) (?:following )?(?:model(?:'s)? |"
     r"assistant(?:'s)? |ai(?:'s)? |candidate |given )?(?:response|answer|completion|output|reply)s? (?:is|was|are)\b"),
    ("rubric", ("preference",), r"preference (?:label|judg)"),
    ("rubric", ("response", "repl", "completion", "output", "answer", "generation", "candidate", "submitted"),
     (r"\b(?:(?:model|assistant|chatbot|ai|llm|bot|candidate|generated)(?:'s)?[- ](?:response|reply|answer|"
      r"completion|output|generation)s?|(?:two|both|the following) (?:responses|replies|completions|outputs|answers|"
      r"generations)|(?:the|this) (?:response|reply|completion|output)s? (?:below|above)|(?:candidate|submitted) "
      r"(?:summar(?:y|ies)|translations?|answers?|solutions?|code)|which (?:response|reply|"
      r"completion|output)s?)\b",
      r"\b(?:grad|scor|rat|judg|evaluat|assess|critiqu|review|rank|mark|check|compar|verify|verifi|decid|determin)"
      r"(?:e|es|ed|ing|s)?\b|"
      r"\bwhich (?:one|of (?:the|them|these)|response|reply|completion|output)",
      r"\b(?:scores?|scale|out of \d+|(?:from|between) \d+ (?:to|and) \d+|\d+\s*-\s*\d+|verdict|better|"
      r"'?yes'?,? or '?no'?|true or false|pass or fail|correct or incorrect|"
      r"prefer(?:red|able)?|faithful(?:ness)?|"
      r"more (?:accurate(?:ly)?|helpful|correct)|correct(?:ness)?)\b")),
    ("rubric", ("better", "best", "prefer", "superior"),
     r"\b(?:response|completion|answer|output|reply)s?\b[^\n]{0,200}\bwhich (?:one )?(?:of (?:the|them|these) "
     r"(?:two )?)?(?:is|was|do you prefer|you prefer)(?: (?:better|best|preferable|superior|more helpful|"
     r"more accurate)|\b)"),
    ("rubric", ("response 1", "answer 1", "output 1", "completion 1", "assistant 1", "response one"),
     r"\b(?:response|answer|output|completion|assistant) (?:1|one)\b.{0,300}\b(?:response|answer|output|"
     r"completion|assistant) (?:2|two)\b"),
    ("rubric", ("generated", "written"),
     r"(?:grade|score|rate|judge|evaluate|assess|critique|review) (?:the )?(?:quality of )?(?:the|this|each|these) "
     r"(?:ai|model|llm|assistant|chatbot)[- ](?:generated|written) "),
    ("rubric", ("harmless",), r"helpful(?:ness)?,? (?:honest(?:y)?,? )?(?:and )?harmless(?:ness)?"),
    ("rubric", ("score",), r"(?:quality|correctness|helpfulness|harmlessness|faithfulness) score"),
    ("rubric", ("score",), r"score[: ]+\[?\d+\s*/\s*10"),
    ("rubric", ("how well", "how accurately", "how faithfully", "how closely", "how completely", "how fully"),
     (r"\b(?:evaluate|assess|judge|rate|score|grade|measure) how (?:well|accurately|faithfully|closely|completely|"
      r"fully)\b",
      r"\b(?:number|score|rating|grade|value|integer|mark)s? (?:from|between) \d+ (?:to|and) \d+\b|"
      r"\bon an? \d+\s*(?:-|to)\s*\d+ scale")),
    ("rubric", ("assistants", "chatbots", "llms", "models", "systems"),
     (r"\b(?:assistants|chatbots|llms|ai (?:models|systems)|language models)\b|\b(?:models|systems) (?:answered|"
      r"responded|replied|generated|produced)\b",
      r"\bwhich (?:one |of them |assistant |model |system )?(?:did|does|is|was|gave|wrote|performed|answered)\b"
      r"[^.?!\n]{0,30}\b(?:better|best|worse|more (?:accurate|helpful|correct))")),
    ("agentic", ("agent",),
     r"\byou are an? (?:(?:autonomous|software|coding|helpful|ai|web|browsing|research|llm)[- ])*agent\b"),
    ("agentic", ("agent",),
     r"\b(?:simulate|emulate) an? (?:\w+ )?agent\b|\bact as an? (?:autonomous|ai|software|coding|web|browsing|llm|"
     r"tool[- ]using) agent\b"),
    ("agentic", ("tools", "functions"),
     r"\b(?:have access to|can use|can call|are given) (?:the following|these|a set of|several) (?:\w+ )?"
     r"(?:tools|functions)\b|\bavailable (?:tools|functions):|\b(?:tools|functions) available:|\b(?:call|use|invoke)"
     r"(?:s|ing)? (?:tools|functions),? (?:and|to|until)\b"),
    ("agentic", ("action input", "thought, action"), r"\baction input\b|\bthought, action\b"),
    ("agentic", ("observation",), r"\beach action and (?:its |the )?observation|\bactions and observations\b"),
    ("agentic", ("tool", "function"), r"\b(?:call|use|invoke) the (?:\w+ )?(?:tool|function)s?\b"),
    ("agentic", ("function",), r"\bfunction[_ ]call"),
    ("agentic", ("observation", "thought", "action"), r"\b(?:observation|thought|action(?: input)?)\s*:"),
    ("agentic", ("tool",), r"\btool[_ ](?:use|call|result|output)"),
    ("agentic", ("click", "type into", "scroll", "screenshot"),
     r"\b(?:click|type into|scroll|take a screenshot)\b.{0,40}\b(?:button|field|page|screen|element)"),
    ("agentic", ("multi",), r"multi[- ]step (?:task|plan|agent)"),
    ("agentic", ("trajectory",), r"trajectory"),
    ("agentic", ("command", "action", "tool call"),
     r"\b(?:next|following) (?:shell |terminal |bash )?(?:command|action|tool call) (?:to|you (?:will|want to|would)) "
     r"(?:execute|run|take|perform|issue)"),
    ("agentic", ("observ", "agent"),
     r"\bactions? (?:you (?:take|took|perform|chose)|taken)\b[^.?!\n]{0,40}\bobserv|\bagent (?:with|that has|"
     r"having) (?:a |access to (?:a )?)?(?:browser|shell|terminal|computer|tools)\b"),
    ("safe_rewrite", ("safe", "harmless", "acceptable", "compliant", "benign"),
     r"(?:rewrite|rephrase|reformulate|transform) (?:this|the following|the|my) (?:harmful |sensitive |unsafe |"
     r"risky )?(?:request|query|prompt|question|instruction)s? (?:so (?:that )?it is|to be|into (?:a|an))? ?"
     r"(?:a )?(?:safe|harmless|acceptable|compliant|benign)"),
    ("safe_rewrite", ("rewrite", "rephrase", "reformulate", "reword", "paraphrase", "transform", "turn", "convert",
                      "rework", "recast", "disguise", "soften", "phrase"),  # every branch follows one of these verbs
     r"\b(?:rewrite|rephrase|reformulate|reword|paraphrase|transform|turn|convert|rework|recast|disguise|soften|"
     r"phrase)\b[^.?!\n]{0,100}?"
     r"(?:\b(?:harmless|innocuous|innocent|policy[- ]compliant)\b|(?<![-\w])safe(?:r)? (?:way|version|form|request|"
     r"prompt|question|query)|\bcompl(?:y|ies|iant) with (?:the |our |your |any )?(?:content |safety |usage )?"
     r"(?:polic(?:y|ies)|guidelines)|\bpass(?:es)? (?:the )?(?:content |safety )?(?:moderation|filters?)|"
     r"\b(?:not|never|won'?t|wouldn'?t) (?:get |be )?(?:refused|declined|blocked|flagged)\b|"
     r"\b(?:will not|won'?t|wouldn'?t|would not|not|never) (?:refuse|decline)\b|"
     r"\b(?:instead of|rather than) (?:refus|declin)\w*|\bno (?:\w+ )?(?:assistant|model|chatbot|ai|llm|system|filter|"
     r"classifier|moderator)s? (?:would|will|could|can)\b[^.?!\n]{0,20}\b(?:refuse|decline|reject|object|flag|"
     r"block|balk|push back)|"
     r"\b(?:slip|sneak|get)s? (?:it |this )?(?:past|through|around) (?:the )?(?:safety |content |moderation )"
     r"(?:system|filters?|classifiers?|checks?)|\b(?:the|an?) (?:ai|model|assistant|chatbot|llm)(?: assistant| model)? "
     r"(?:(?:will|would) (?:answer|comply|respond|go along)|(?:answers|responds|complies|goes along))\b|"
     r"\b(?:bypass|evade|circumvent|avoid|get past|get around|slip past|dodge|violate|trigger|trip)(?:s|es|d|ing)? "
     r"(?:the |any |our |your |a )?(?:(?:safety|content|moderation|ai) (?:filters?|classifiers?|guardrails?|"
     r"polic(?:y|ies)|guidelines)|moderation|guardrails?|(?:usage|content|safety) polic(?:y|ies)|refusals?)|"
     r"\b(?:the model|an? (?:ai|llm|model|assistant|chatbot)|the (?:ai|llm|assistant|chatbot))\b[^.?!\n]{0,30}"
     r"\bwilling to (?:answer|respond|help|comply)|\bacceptable under (?:the |our |your |its )?(?:usage |content |"
     r"safety )?polic(?:y|ies))"),
    ("safe_rewrite", ("safe", "harmless", "sanitized", "sanitised", "innocuous", "compliant"),
     r"\b(?:safer?|harmless|sanitized|sanitised|innocuous|policy[- ]compliant) (?:rewrite|rephrasing|reformulation|"
     r"rewording|paraphrase|variant|version of (?:this|the) (?:request|query|prompt|question))"),
    ("safe_rewrite", ("without",),
     r"without (?:triggering|violating|tripping) (?:the |any )?(?:safety|content|policy|filter|moderation)"),
    ("safe_rewrite", ("filter", "moderation", "guardrail", "classifier"),
     r"(?:safety|content|moderation) (?:filters?|systems?|classifiers?|guardrails?) (?:won'?t|wouldn'?t|will not|"
     r"would not|does not|doesn'?t|do not|don'?t|can'?t|cannot|never) (?:block|flag|catch|refuse|trigger|detect)|"
     r"\b(?:get|slip|sneak) (?:it |this )?(?:past|through|"
     r"around) (?:the )?(?:safety |content |moderation )?(?:filters?|moderation|guardrails?)"),
    ("safe_rewrite", ("safely", "harmlessly"),
     r"\b(?:safely|harmlessly) (?:rewrite|rephrase|reformulate|reword|paraphrase)|\b(?:rewrite|rephrase|"
     r"reformulate|reword|paraphrase|transform)\b[^.?!\n]{0,100}?\b(?:answered|handled|fulfilled|processed|"
     r"responded to) (?:safely|harmlessly)"),
    ("safe_rewrite", ("sanitize", "sanitise", "detoxify"), r"\b(?:sanitize|sanitise|detoxify) (?:this|the following)"),
    ("safe_rewrite", ("innocent", "innocuous", "harmless", "benign"),
     r"\bmake (?:this|it|the|that)(?: (?:request|question|prompt|query))? (?:sound|look|seem|read|appear) (?:\w+ )?"
     r"(?:innocent|innocuous|harmless|benign)"),
    # generalized from a seventh set of asks (2026-12-05; last in the list, so what fired before keeps its evidence):
    # the path to the answer in the present tense, a solution broken into steps each justified, a role as an agent,
    # a request made or turned into an acceptable one
    ("reasoning", ("how you",),
     r"\bhow you (?:arrive|get|come) (?:at|to) (?:the|your|this|that|an?) (?:final |correct )?(?:answer|conclusion|"
     r"result|solution)|\bhow you reach (?:the|your|this|that) (?:final |correct )?(?:answer|conclusion|result|"
     r"solution)"),
    ("reasoning", ("justify", "break"),
     r"\bjustify(?:ing)? (?:each|every) (?:one|step|line)s?\b|\bbreak (?:down )?(?:the|your) (?:solution|answer|"
     r"derivation|reasoning|working) into\b"),
    ("agentic", ("agent",),
     r"\bas an? (?:autonomous|ai|software|coding|web|browsing|llm|tool[- ]using) agent\b"),
    ("safe_rewrite", ("safe", "acceptable", "harmless", "compliant"),  # ... for a model to answer
     r"\bmake (?:this|the|my|that) (?:request|question|prompt|query) (?:safe|acceptable|harmless|"
     r"(?:policy[- ])?compliant)\b[^.?!\n]{0,40}\b(?:model|ai|assistant|chatbot|llm|you)\b"),
    ("safe_rewrite", ("acceptable", "permissible", "allowed", "allowable", "compliant"),  # ... and then answered
     (r"\b(?:rewrite|rephrase|reformulate|reword|paraphrase|transform|turn|convert|rework|recast)\b[^.?!\n]{0,60}?"
      r"\binto an? (?:acceptable|permissible|allowed|allowable|(?:policy[- ])?compliant) (?:request|version|prompt|"
      r"question|query|form)\b",
      r"\b(?:then|and) (?:answer|respond to|fulfil|fulfill|carry out|complete|provide (?:a |an )?(?:complete |full |"
      r"detailed )?(?:response|answer))\b")),
]

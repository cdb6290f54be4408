"""Names as entity resolution compares them: normalised tokens, nickname groups and phonetic keys.

Pure functions, no I/O. Agencies spell the same person's name differently ("Dan Smyth" at the police,
"Daniel Smith" at maternity): the comparison therefore looks at the exact name, at the nickname group
(Dan, Danny -> daniel), at a phonetic key (Smyth, Smith -> SM0, via jellyfish's metaphone) and at string
similarity (Jaro-Winkler, edit distance) computed by the Splink backend.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import jellyfish

# canonical name -> its common English short forms, pet forms and spelling variants.
# A variant may belong to more than one group (Alex: Alexander, Alexandra); a comparison treats two
# names as nickname-equal when their groups intersect.
NICKNAME_GROUPS: dict[str, tuple[str, ...]] = {
    # men's names
    "abdullah": ("abdul", "abdulla"),
    "adam": ("ad",),
    "alan": ("allan", "allen", "al"),
    "albert": ("al", "bert", "bertie", "alby"),
    "alexander": ("alex", "alec", "alexandre", "sandy", "xander", "lex"),
    "alfred": ("alfie", "alf", "fred", "freddie"),
    "andrew": ("andy", "drew", "andi"),
    "anthony": ("tony", "antony", "ant"),
    "archibald": ("archie", "archy", "baldie"),
    "arthur": ("art", "artie"),
    "benjamin": ("ben", "benny", "benji", "benjy"),
    "bernard": ("bernie", "barney"),
    "bradley": ("brad",),
    "callum": ("calum", "cal"),
    "charles": ("charlie", "chas", "chaz", "chuck", "charley"),
    "christopher": ("chris", "kit", "topher", "christoper", "kristopher", "kris"),
    "cameron": ("cam",),
    "connor": ("conor", "con"),
    "daniel": ("dan", "danny", "dani", "danniel", "daniele"),
    "david": ("dave", "davey", "davie", "dai", "davy"),
    "dominic": ("dom", "dominick"),
    "donald": ("don", "donnie"),
    "douglas": ("doug", "dougie"),
    "edward": ("ed", "eddie", "eddy", "ted", "teddy", "ned"),
    "edmund": ("ed", "eddie", "ned"),
    "francis": ("frank", "frankie", "fran"),
    "frederick": ("fred", "freddie", "freddy", "frederic"),
    "gareth": ("gaz",),
    "geoffrey": ("geoff", "jeff", "jeffrey", "jeffery"),
    "george": ("georgie", "geordie"),
    "gerald": ("gerry", "jerry", "ged"),
    "gregory": ("greg",),
    "harold": ("harry", "hal"),
    "henry": ("harry", "hank", "hal"),
    "harrison": ("harry",),
    "isaac": ("ike", "zac", "zack"),
    "jacob": ("jake", "jakob", "jaycob"),
    "james": ("jim", "jimmy", "jamie", "jimbo", "jem"),
    "jonathan": ("jon", "jonny", "johnny", "jonathon"),
    "john": ("jon", "johnny", "jack", "jonny", "johnnie"),
    "jack": ("jackie", "jak"),
    "joseph": ("joe", "joey", "jo", "jos"),
    "joshua": ("josh",),
    "kenneth": ("ken", "kenny"),
    "kieran": ("kieron", "ciaran", "keiran"),
    "lawrence": ("laurence", "larry", "laurie", "lol"),
    "leonard": ("len", "lenny", "leo"),
    "lewis": ("louis", "lou"),
    "matthew": ("matt", "matty", "mat"),
    "michael": ("mike", "mick", "micky", "mickey", "mikey", "mich"),
    "mohammed": ("muhammad", "mohammad", "mohamed", "muhammed", "mohamad", "mo", "moe", "mohd"),
    "nathaniel": ("nat", "nate", "nathan"),
    "nicholas": ("nick", "nicky", "nico", "nic", "nik"),
    "oliver": ("ollie", "olly", "ol"),
    "patrick": ("pat", "paddy", "patsy"),
    "peter": ("pete",),
    "philip": ("phil", "phillip", "pip"),
    "raymond": ("ray",),
    "richard": ("rich", "richie", "rick", "ricky", "dick", "dickie"),
    "robert": ("rob", "robbie", "bob", "bobby", "bert", "robby", "rab"),
    "ronald": ("ron", "ronnie"),
    "samuel": ("sam", "sammy", "sammie"),
    "sebastian": ("seb", "bastian"),
    "simon": ("si",),
    "stanley": ("stan",),
    "stephen": ("steve", "steven", "stevie", "steph"),
    "stuart": ("stewart", "stu"),
    "terence": ("terry", "terrence", "tel"),
    "theodore": ("theo", "ted", "teddy"),
    "thomas": ("tom", "tommy", "thom", "tomos"),
    "timothy": ("tim", "timmy"),
    "tobias": ("toby",),
    "victor": ("vic",),
    "vincent": ("vince", "vinnie", "vinny"),
    "walter": ("walt", "wally"),
    "william": ("will", "bill", "billy", "willie", "willy", "wil"),
    "zachary": ("zach", "zack", "zac", "zak"),
    # women's names
    "abigail": ("abi", "abby", "abbie", "gail"),
    "alexandra": ("alex", "lexie", "sandy", "alexa"),
    "alice": ("ally", "allie", "alys"),
    "amelia": ("millie", "emilia"),
    "amanda": ("mandy",),
    "ann": ("anne", "annie", "anna", "nan", "nancy"),
    "barbara": ("barb", "babs", "barbie"),
    "caroline": ("carol", "carrie", "carolyn", "caz"),
    "catherine": (
        "katherine",
        "kathryn",
        "catharine",
        "cathy",
        "kathy",
        "kate",
        "katie",
        "cat",
        "kat",
        "kay",
        "kitty",
        "cath",
        "kath",
        "katy",
    ),
    "charlotte": ("charlie", "lottie", "lotte", "char"),
    "christine": ("chris", "chrissie", "christina", "kristina", "tina", "kirsty", "kirstie"),
    "clare": ("claire", "clair"),
    "deborah": ("debra", "debbie", "deb", "debby"),
    "dorothy": ("dot", "dotty", "dolly", "dottie"),
    "eleanor": ("ellie", "elly", "nell", "nellie", "elinor", "leonora", "nora"),
    "elizabeth": (
        "liz",
        "lizzie",
        "lizzy",
        "beth",
        "betty",
        "bess",
        "libby",
        "eliza",
        "elsie",
        "betsy",
        "elisabeth",
    ),
    "emily": ("em", "emmy", "millie", "emilie"),
    "emma": ("em", "emmie"),
    "frances": ("fran", "frankie", "fanny"),
    "gabrielle": ("gabby", "gabi", "gabriella"),
    "georgina": ("georgie", "gina"),
    "gillian": ("gill", "jill", "gilly"),
    "hannah": ("hanna", "annie"),
    "harriet": ("hattie", "hatty", "harri"),
    "helen": ("helena", "nell", "ellen"),
    "isabel": ("isabelle", "isabella", "izzy", "issy", "bella", "belle", "izzie", "isobel"),
    "jacqueline": ("jackie", "jacky", "jacqui"),
    "jennifer": ("jen", "jenny", "jenni", "jennie"),
    "jessica": ("jess", "jessie", "jessy"),
    "joanne": ("jo", "joanna", "jo-anne", "joan", "jody"),
    "josephine": ("jo", "josie", "jose", "posy"),
    "judith": ("judy", "jude"),
    "julia": ("julie", "jules"),
    "kayleigh": ("kayley", "kaylee", "kayla", "kaley", "kailey", "caleigh", "kaleigh", "kayleah", "kaylie"),
    "kimberley": ("kim", "kimberly", "kimmy"),
    "laura": ("laurie", "lori"),
    "louise": ("lou", "louisa", "lulu"),
    "lucy": ("lucie", "lucinda", "lu"),
    "madeleine": ("maddie", "maddy", "madeline", "madelyn"),
    "margaret": ("maggie", "meg", "peggy", "madge", "marge", "margo", "greta", "rita", "mags"),
    "mary": ("molly", "polly", "mae", "may", "marie", "mollie"),
    "matilda": ("tilly", "tillie", "mattie", "tilda"),
    "michelle": ("shelly", "shelley", "chelle", "michele"),
    "natalie": ("nat", "nattie", "natalia"),
    "nicola": ("nicky", "nikki", "nic", "nichola"),
    "olivia": ("liv", "livvy", "ollie", "livia"),
    "patricia": ("pat", "patty", "trish", "tricia", "patsy"),
    "rebecca": ("becky", "becca", "bex", "beck"),
    "rosemary": ("rose", "rosie", "romy"),
    "samantha": ("sam", "sammy", "sammie"),
    "sarah": ("sara", "sally", "sadie"),
    "sophie": ("sophia", "sofia", "soph"),
    "stephanie": ("steph", "stephie", "steff", "stef"),
    "susan": ("sue", "susie", "suzy", "suzanne", "susannah", "sukie"),
    "teresa": ("theresa", "tess", "tessa", "terri"),
    "valerie": ("val",),
    "victoria": ("vicky", "vicki", "tori", "vic", "vikki"),
    "zoe": ("zoey", "zoë"),
}


def _build_index() -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = {}
    for canonical, variants in NICKNAME_GROUPS.items():
        for name in (canonical, *variants):
            key = normalise_token(name)
            if key:
                index.setdefault(key, set()).add(canonical)
    return {name: frozenset(groups) for name, groups in index.items()}


_NON_LETTER = re.compile(r"[^a-z]+")
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "master", "mx", "baby", "unborn", "infant", "of"})


def normalise_token(value: str) -> str:
    """Lower case ASCII letters only: "O'Neill" -> "oneill", "Zoë" -> "zoe"."""
    decomposed = unicodedata.normalize("NFKD", value)
    ascii_only = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return _NON_LETTER.sub("", ascii_only)


def name_tokens(value: str | None) -> list[str]:
    """The name's words, normalised, without titles: "Mary-Jane  O'Brien" -> ["mary", "jane", "obrien"].

    Hyphens and spaces split words; an apostrophe does not (O'Brien is one word).
    """
    if not value:
        return []
    words = re.split(r"[\s\-_/.,]+", value)
    tokens = [normalise_token(w) for w in words]
    return [t for t in tokens if t and t not in _TITLES]


@functools.cache
def _index() -> dict[str, frozenset[str]]:
    return _build_index()


@functools.lru_cache(maxsize=200_000)
def nickname_groups(token: str) -> tuple[str, ...]:
    """The canonical names a (normalised) given name may stand for; the name itself when it is in no group.

    ``nickname_groups("dan") == ("daniel",)``; ``nickname_groups("alex") == ("alexander", "alexandra")``.
    """
    groups = _index().get(token)
    if not groups:
        return (token,) if token else ()
    return tuple(sorted(groups))


@functools.lru_cache(maxsize=200_000)
def phonetic(token: str) -> str | None:
    """A phonetic key (metaphone) so that Smyth and Smith, Kayleigh and Kayley agree."""
    if not token:
        return None
    return jellyfish.metaphone(token) or None

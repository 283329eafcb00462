"""The tag lexicon: which words are evidence for which of the catalog's ten tags (see docs/lexicon.md).

`leanings(text)` says how strongly any text (a beat, a scene, a model's prose) leans to each tag.
`infer_tags(text, kind)` picks the honest tags for one beat, the way an author would, for `watch import`.

Entries are lower-case: a word (matching its plain inflections: s, es, ed, ing), a prefix ending in `*`, or a
phrase of several words (matched as written). Weight 1.0 is clear evidence on its own; 0.5 counts only with more.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Iterable, Mapping

from player.engine.catalog.films import TAGS

LEXICON: dict[str, dict[float, str]] = {
    "action": {
        1.0: """run, ran, sprint*, chase*, fight*, fought, punch*, kick*, slam*, smash*, crash*, explod*,
                explosion*, shoot*, shot, shots, gunfire, gunshot*, bullet*, rifle*, pistol*, revolver*, sword*,
                leap*, jump*, lunge, dive, tackl*, wrestl*, grab*, shove, yank*, hurl*, throw*, threw, swing*,
                swung, dodg*, scrambl*, struggl*, stab, slash*, strike, struck, brawl*, gallop*, stampede*,
                hurtl*, careen*, swerv*, flee, fled, pursu*, tumbl*, ambush*, attack*, shatter*, fist*, scuffl*,
                punches, thrash*, grappl*, rush*, bolt""",
        0.5: """climb*, race*, charg*, escap*, haul*, heave, fall, falls, fell, drop, burst*, blast*, whip*,
                knife, knives, fire, firing, hit, slap*, stomp*, wrench*, claw*, break, broke, spin, spun, crawl*,
                scream*""",
    },
    "romance": {
        1.0: """kiss*, love, loves, loved, lover*, loving, beloved, darling, sweetheart, embrace*, caress*,
                tender*, blush*, flirt*, romance, romantic*, passion*, longing, swoon*, adore*, in love,
                hand in hand, holds her hand, holds his hand, takes her hand, takes his hand, their hands,
                their fingers, marry, married, marriage, wedding*, propos*, yearn*, desire*, heartache,
                doesn't let go, does not let go, neither lets go, won't let go""",
        0.5: """hug*, cheek*, lips, gaze*, touch*, danc*, honey, dear, dearest, husband*, wife, beautiful,
                handsome, jealous*, heart, shoulders touch, close together, miss you, stay with me, sweet,
                let go, look at me, beside her, beside him""",
        0.3: """stay, stays""",
    },
    "dialogue": {
        1.0: """said, says, asks, asked, tells, told, argue*, argument*, confess*, conversation*, repli*,
                retort*, insist*, explain*, quarrel*, interrupt*""",
        0.5: """say, ask, tell, talk*, speak*, spoke*, answer*, whisper*, mutter*, murmur*, shout*, yell*,
                promise*, admit*, call out, calls out, words""",
    },
    "suspense": {
        1.0: """wait, waits, waiting, waited, tension, tense*, creep*, creak*, footstep*, sneak*, tiptoe*,
                lurk*, stalk*, nervous*, trembl*, countdown, timer, fuse, ticking, threat*, danger*, standoff,
                holds her breath, holds his breath, held her breath, held his breath, too late, any second,
                not yet, trigger*, jumpy, uneasy, suspicio*,
                siren*, don't you dare""",
        0.5: """breath, sweat*, tick, clock*, alarm*, risk*, trap*, sudden*, freez*, afraid, fear*, peer*,
                peek*, listen*, shadow*, closer, approach*, aim*, guard*, patrol*, hide, hides, hiding, watch,
                watches, watching, dread, almost, nearly, slowly, noon, noise, someone, somebody,
                impact, seconds, minutes, unlocked, blind""",
        0.3: """tonight, coming, behind""",
    },
    "humor": {
        1.0: """laugh*, joke*, grin*, giggl*, chuckl*, snort*, absurd*, ridiculous*, silly, sillier, funny,
                funnier, comic*, deadpan, sarcas*, prank*, clown*, goof*, pratfall*, hilarious*, amus*,
                banter*, teas*, quip*, wisecrack*, rolls her eyes, rolls his eyes, oops, whoops, hiccup*,
                sneez*, burp*, belch*, with great dignity, indignan*, sheepish*, bicker*""",
        0.5: """dignity, embarrass*, awkward*, mock*, smug*, pompous*, wink*, ironic*, irony, apparently,
                opinion*, insult*, complain*, grumbl*, squeak*, offended, priceless, nonsense, idiot*, sulk*,
                pout*, huff*, pomade*, tiny, of course""",
    },
    "mystery": {
        1.0: """clue*, secret*, mystery, mysteries, mysterious*, vanish*, disappear*, missing, unknown,
                puzzl*, riddle*, cipher*, disguis*, suspect*, evidence, investigat*, detective*, anonymous*,
                footprint*, fingerprint*, identity, unexplained, unmarked, cryptic*, conceal*, rumour*,
                rumor*, whereabouts, who did, false bottom,
                what happened, whose""",
        0.5: """strange*, odd, oddly, why, question*, code, symbol*, letter, map, key, keys, locked, stranger*,
                search*, discover*, reveal*, truth, lie, lies, lying, liar*, doubt*, wonder*, curious*,
                photograph*, ledger*, envelope*, scratched, initials, signal*, hidden, who, somehow,
                gone, private, pretend*""",
        0.3: """blink*, someone""",
    },
    "dark": {
        1.0: """death*, dead, die, dies, died, dying, kill*, murder*, corpse*, grave, graves, graveyard*,
                funeral*, coffin*, blood*, bleed*, bled, drown*, hanged, noose*, cruel*, tortur*, terror*,
                horror*, dread*, grief*, griev*, mourn*, despair*, betray*, guilt*, sorrow*, weep*, sob*,
                poison*, skull*, hopeless*, revenge*, vengeance, victim*, orphan*, widow*, slaughter*,
                massacre*, execut*, suicid*, doom*, agony, anguish, bury, buried, burial""",
        0.5: """wound*, loss, lost, tears, cry, cries, crying, cried, pain*, hurt*, shame*, ruin*, bleak*,
                gloom*, darkness, scream*, threaten*, prison*, jail*, cage*, war, sick*, broken, ash, ashes,
                bone*, cold, alone, dark, never again, cheat*, greed*, debt*, starv*, collapse*,
                breach, failed""",
    },
    "hopeful": {
        1.0: """hope, hopes, hoped, hoping, hopeful*, rescue*, heal*, mend*, forgive*, forgiv*, reconcil*,
                freedom, grateful, gratitude, thankful, kindness, reunit*, relief, reliev*, second chance,
                a way out, triumph*, victory, celebrat*, cheer*, courage*, redeem*, redemption, renew*,
                restor*, repair*, justice,
                i've got you, got you""",
        0.5: """dawn, sunrise, smile*, save, saves, saved, safe, safety, home, together, free, kind,
                help*, thank*, alive, surviv*, warm*, welcome*, future, tomorrow, win, wins, proud, brave*,
                believe*, begin*, spring, bloom*, gift*, share*, promise, fair,
                hold on, kindest, renewed""",
        0.3: """light, clear, new""",
    },
    "quiet": {
        1.0: """quiet*, stillness, calm*, alone, lonely, lone, solitude, silence, silent*, hush*, peaceful*,
                tranquil*, landscape*, horizon, prairie*, meadow*, serene*, sleep*, asleep, doze*""",
        0.5: """still, empty, sits, sitting, sat, stare*, gaze*, dust*, rain, snow*, field*, hill*, valley*,
                plain, plains, desert*, river*, lake*, creek*, pond*, dusk, twilight, evening, moon*, star,
                stars, candle*, lamp*, lantern*, softly, gently, slowly, sigh*, pause*, nothing, tea, breeze*,
                mist*, fog*, saguaro*, cactus, tumbleweed*, morning, night, reads, reading""",
    },
    "spectacle": {
        1.0: """storm*, thunder*, lightning, explosion*, explod*, blaze*, inferno, fireball*, firework*,
                avalanche*, eclipse, aurora*, tornado*, twister*, hurricane*, tidal, flood*, flash flood,
                waterfall*, canyon*, vast, enormous, gigantic, towering, spectacular*, panorama*, skyline,
                stampede*, blinding, dazzl*, volcano*, erupt*, wildfire*, meteor*, monsoon*, sandstorm*,
                dust storm, sky, skies,
                cartwheel*""",
        0.5: """huge, giant*, tower*, mountain*, cliff*, ocean*, waves, wave, sunset*, sunrise, crowd*, train*,
                locomotive*, collapse*, beam*, glitter*, shimmer*, glow*, roar*, herd*, thousands, hundreds,
                sea, flame*, fire, lights, moon, rainbow*, cascade*, torrent*, mesa*,
                haze, debris, spray, thrusters""",
        0.3: """great, whole""",
    },
}

THRESHOLD = 1.0     # evidence a beat needs before a tag is inferred: one clear word, or two weaker ones
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
_QUOTED = re.compile(r"[\"“][^\"“”]{2,}[\"”]")  # direct speech in prose is evidence for `dialogue`


_Weights = dict[str, float]  # tag -> weight


def _compile() -> tuple[dict[str, _Weights], dict[str, list[tuple[str, float]]], dict[str, _Weights]]:
    words: dict[str, dict[str, float]] = {}
    prefixes: dict[str, list[tuple[str, float]]] = {}  # prefix -> (tag, weight): looked up by a token's start
    phrases: dict[str, dict[str, float]] = {}
    for tag, groups in LEXICON.items():
        for weight, entries in groups.items():
            for entry in (e.strip() for e in entries.split(",")):
                if " " in entry:
                    phrases.setdefault(f" {entry} ", {})[tag] = weight
                elif entry.endswith("*"):
                    prefixes.setdefault(entry[:-1], []).append((tag, weight))
                else:
                    words.setdefault(entry, {})[tag] = weight
    return words, prefixes, phrases


_WORDS, _PREFIXES, _PHRASES = _compile()
_PREFIX_LENGTHS = sorted({len(prefix) for prefix in _PREFIXES})


def _forms(token: str) -> set[str]:
    """The token and what it may be an inflection of: runs, running -> run; carried -> carry; chased -> chase."""
    forms = {token, token.removesuffix("'s")}
    for suffix, replacements in (("ies", ("y",)), ("es", ("", "e")), ("s", ("",)), ("ied", ("y",)),
                                 ("ed", ("", "e")), ("ing", ("", "e"))):
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            stem = token[:-len(suffix)]
            forms.update(stem + r for r in replacements)
            if len(stem) >= 3 and stem[-1] == stem[-2]:
                forms.add(stem[:-1])  # running -> run, stabbed -> stab
    return forms


def tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


@lru_cache(maxsize=1 << 14)  # a screenplay repeats its words: an import looks most of them up once
def _token_weights(token: str) -> tuple[tuple[str, float], ...]:
    """The weight of one word for each tag it is evidence for: one word counts once per tag, however many
    entries it matches (the strongest)."""
    best: dict[str, float] = {}
    for form in _forms(token):
        for tag, weight in _WORDS.get(form, {}).items():
            best[tag] = max(best.get(tag, 0.0), weight)
    for length in _PREFIX_LENGTHS:
        if length > len(token):
            break
        for tag, weight in _PREFIXES.get(token[:length], ()):
            best[tag] = max(best.get(tag, 0.0), weight)
    return tuple(best.items())


def word_weights(text: str) -> tuple[dict[str, float], int]:
    """The summed weight of the lexicon entries found in `text` for each tag, and the number of words."""
    found = {tag: 0.0 for tag in TAGS}
    words = tokens(text)
    for token in words:
        for tag, weight in _token_weights(token):
            found[tag] += weight
    joined = f" {' '.join(words)} "
    for phrase, tags in _PHRASES.items():
        count = joined.count(phrase)
        for tag, weight in tags.items():
            found[tag] += count * weight
    found["dialogue"] += len(_QUOTED.findall(text))
    return found, len(words)


def leanings(text: str) -> dict[str, float]:
    """How strongly `text` leans to each tag, from 0 to 1: the density of evidence, saturating.

    Scores of different tags for one text compare directly; so do scores of texts of different lengths, as the
    evidence is counted per word (a text under 20 words counts as 20, so one word can't make a short line 1.0).
    """
    found, count = word_weights(text)
    return {tag: round(1.0 - math.exp(-10.0 * found[tag] / max(count, 20)), 4) for tag in TAGS}


def ranked(weights: Mapping[str, float], minimum: float = 0.0, exclude: Iterable[str] = ()) -> list[str]:
    """Tags by weight, strongest first, ties in vocabulary order, keeping those at or above `minimum`."""
    skip = set(exclude)
    order = sorted((tag for tag in TAGS if tag not in skip and weights.get(tag, 0.0) >= minimum and
                    weights.get(tag, 0.0) > 0), key=lambda tag: (-weights[tag], TAGS.index(tag)))
    return order


def infer_tags(text: str, kind: str = "action", limit: int = 2) -> tuple[str, ...]:
    """The tags of one beat: up to `limit` tags with clear evidence, strongest first.

    A dialogue beat is always `dialogue`, plus its strongest other tag. An action or caption beat with no clear
    evidence is `quiet`: a beat that shows nothing happening is a still one. (Falling back to the scene's
    strongest tag instead agreed less often with the hand-tagged samples.)
    """
    found, _ = word_weights(text)
    if kind == "dialogue":
        return ("dialogue",) + tuple(ranked(found, THRESHOLD, exclude=["dialogue"])[:limit - 1])
    return tuple(ranked(found, THRESHOLD)[:limit]) or ("quiet",)

import re

from hypothesis import example, given
from hypothesis import strategies as st

from cleancorp.body import TERMINAL, ZoneSettings, ends_a_sentence, find_body, headline_index, is_anchor
from cleancorp.boilerplate import classify
from cleancorp.language import stoplist_for

PARA = (
    "Fierce clashes continued Sunday between Syrian government forces and rebel fighters in the "
    "northwestern province of Idlib, despite a cease-fire brokered last week by Russia and Turkey."
)
PARA2 = (
    "Local news reports said at least 28 Syrian government troops and 19 rebel fighters, including "
    "15 jihadists, were killed in the clashes that went on through the weekend."
)
ENGLISH = stoplist_for(PARA.split())


def kept(texts, **kw):
    return [t for t, v in zip(texts, classify(texts, **kw), strict=True) if v.keep]


def test_prose_is_an_anchor_and_menus_are_not():
    settings = ZoneSettings()
    assert is_anchor(PARA, settings, ENGLISH)
    assert not is_anchor(
        "News Local Police Reports Regional Valley Education National World Politics", settings, ENGLISH
    )
    assert not is_anchor("Failed truce", settings, ENGLISH)


def test_a_hindi_sentence_ends_with_a_danda():
    sentence = "प्रधानमंत्री ने सोमवार को कहा कि सरकार इस साल के अंत तक सभी गांवों में बिजली पहुंचा देगी।"
    hindi = stoplist_for(sentence.split())
    assert is_anchor(sentence, ZoneSettings(), hindi)
    assert not is_anchor(sentence.rstrip("।"), ZoneSettings(), hindi)  # a short unended line is not prose


def test_a_sentence_full_of_scores_is_prose():
    # make_corpus: a Davis Cup report's last paragraphs, names and scores with few stopwords.
    sentence = (
        "Australia beat Colombia behind Nick Kyrgios' 6-4, 6-4 win over Alejandro Gonzalez and "
        "Alex de Minaur's 6-4, 6-3 victory over Daniel Elahi Galan."
    )
    assert is_anchor(sentence, ZoneSettings(), ENGLISH)


def test_find_body_bridges_short_gaps_but_not_long_menus():
    assert find_body([300, -60, 300]) == (0, 2)
    assert find_body([100] + [-60] * 10 + [500, -60, 400]) == (11, 13)
    assert find_body([300, float("-inf"), 900]) == (2, 2)
    assert find_body([-60, -60]) is None


def test_subheading_between_paragraphs_is_kept():
    texts = ["Menu", "Search", PARA, "Failed truce", PARA2, "Leave a Reply"]
    assert kept(texts) == [PARA, "Failed truce", PARA2]


def test_header_and_footer_zones_are_removed_with_reasons():
    texts = [
        "Home | World | Politics",
        "Despite Cease-Fire, Clashes Continue",
        PARA,
        PARA2,
        "Similar Posts",
        "Weather alerts",
    ]
    verdicts = classify(texts)
    assert [(v.keep, v.zone, v.category, v.rule) for v in verdicts] == [
        (False, "header", "navigation", "pipe_menu"),
        (False, "header", "navigation", "before_body"),
        (True, "body", None, None),
        (True, "body", None, None),
        (False, "footer", "related_links", "related_heading"),
        (False, "footer", "navigation", "after_body"),
    ]


def test_an_article_about_donations_keeps_its_sentences():
    about = [
        "Please donate to the flood relief fund, the mayor urged residents on Monday as the river kept rising.",
        PARA,
        "The charity said donations rose 20% last year; if you give, your money goes to families, it said.",
        PARA2,
    ]
    assert kept(about) == about


def test_donation_appeal_after_the_article_goes():
    appeal = "Support our work: we rely on readers like you. Click here to donate or subscribe."
    verdicts = classify([PARA, PARA2, appeal])
    assert (verdicts[2].keep, verdicts[2].category) == (False, "donation_appeal")


def test_ads_inside_the_body_go_and_the_body_goes_on():
    texts = [PARA, "Advertisement", PARA2]
    verdicts = classify(texts)
    assert [v.keep for v in verdicts] == [True, False, True]
    assert verdicts[1].category == "advertisement"


def test_comment_section_is_a_hard_boundary():
    comment = (
        "I think this is a very good article and the writer is right about what happened in the war there."
    )
    texts = [PARA, PARA2, "Leave a Reply", comment, comment + " Indeed."]
    assert kept(texts) == [PARA, PARA2]


def test_list_page_without_prose_keeps_its_items_after_the_byline():
    items = [f"{n}a etapa: {n} de março – Interlagos" for n in range(1, 8)]
    texts = [
        "Menu",
        "Calendário da Stock Car 2018",
        "By Leila Haddad | 2020-12-05",
        *items,
        "Leave a comment",
    ]
    assert kept(texts) == items


RESULTS = [
    "Palm Bay d. Rockledge 70-44",
    "Palm Bay (1-0): Tolivert 25 points. Davis 17 points. Burgher 10 points. Bozeman 10 points.",
    "Rockledge (0-1): Blakely 15 points. Devoe 2 points. Baker 6 points. Brown 4 points.",
    "Heritage d. Titusville 53-9",
    "Heritage (1-0): Armani Sheffield 19 points and 3 steals. Kelli Howard 6 steals.",
    "Titusville (0-1): Storm Filsaimewith 4 points.",
    "Viera d. Rockledge 3-1",
    "Viera (4-0): K. Hupfer 1 goal. L. Patikas 1 goal. Z. Nielsen 1 goal. J. Anasa 1 assist.",
    "Rockledge (3-1): C. Martinez 1 goal. D. Robbins 1 save.",
    "Melbourne d. Cocoa 8-0",
    "Melbourne (3-0): Osas Osaro 3 goals, 1 assist. Aden O'Hara 2 goals, 2 assists.",
]


def test_results_table_with_one_sentence_like_row_is_kept_whole():
    # One row reads like a sentence; without the list reading only that row would be the body.
    texts = [
        "Coastal Herald",
        "GIRLS BASKETBALL",
        "By Ana Beltran | 2020-04-18",
        *RESULTS,
        "Copyright 2020 Coastal Herald. All rights reserved.",
        "Join the conversation: log in or register to post a comment.",
    ]
    assert kept(texts) == RESULTS


def test_link_list_after_a_short_story_is_not_read_as_a_list_body():
    links = [f"Council votes on the {name} budget for next year" for name in ("school", "road", "park")]
    links += [f"Police report {n} arrests after the weekend match in town" for n in range(1, 16)]
    texts = ["By Ana Beltran | 2020-04-18", PARA, "More stories", *links, "Weather", "Traffic"]
    # The links are not followed by the site's footer, so the prose body stands alone.
    assert kept(texts) == [PARA]
    # Two link lists that a named heading splits are not one list article, footer or not.
    texts = ["By Ana Beltran | 2020-04-18", PARA, *links[:9], "Most read", *links[9:], "© 2019 Herald."]
    assert kept(texts) == [PARA]
    # Followed by a named footer instead, a link list still loses to a real story's weight.
    third = PARA.replace("Sunday", "Monday")
    texts = ["By Ana Beltran | 2020-04-18", PARA, PARA2, third, *links[:3], "Copyright 2020 Herald."]
    assert kept(texts) == [PARA, PARA2, third]


def test_extracted_text_keeps_its_extent():
    texts = ["Share this article", "Short opening line.", PARA, "A list item here", "Related Articles"]
    assert kept(texts, extracted=True) == ["Short opening line.", PARA, "A list item here"]


def test_other_language_block_in_english_template():
    indonesian = (
        "Khalifah Ali karena pemberontakan di tahun 37 Hijriyah. Islam sudah sempurna sejak wafatnya Nabi "
        "dan ini adalah sejarah yang panjang bagi umat yang ada di dunia."
    )
    texts = ["Levant Review - News and analysis since 2004", indonesian, "Related Articles"]
    assert kept(texts) == [indonesian]


def test_japanese_paragraphs_are_prose_though_unspaced():
    # From a real page of the article set: without spaces, a whitespace word count saw one word.
    japanese = "先日、不正に改造したiPhoneを販売したとして、商標法違反の疑いで20代の男性が逮捕されたというニュースを耳にしました。"
    assert is_anchor(japanese, ZoneSettings(), ENGLISH)
    second = japanese.replace("20代", "30代")
    assert kept(["HOME", "ブログ", japanese, second, "関連記事"]) == [japanese, second]


def test_a_readers_comment_header_ends_the_body():
    comment = "Any update on how the follow-up paper will affect the recommendation for this charity?"
    third = PARA.replace("Sunday", "Monday")
    texts = [PARA, PARA2, third, "Milan Griffes on September 12, 2018 at 4:47 pm said:", comment, comment]
    assert kept(texts) == [PARA, PARA2, third]


SPORTS_MENU = (  # from a news-train page, where it was taken for the body
    "Local Teams Baltimore Ravens Baltimore Orioles Maryland Football Maryland Men's Basketball Maryland "
    "Women's Basketball Towson Football Towson Men's Basketball Loyola Men's Basketball Coppin St. Men's "
    "Basketball Morgan St. Men's Basketball Navy Football Navy Men's Basketball UMBC Men's Basketball "
    "Leagues & More Sports Main Pro Football College Football Pro Basketball College Basketball Pro "
    "Baseball College Hockey Auto Racing"
)
HEADLINE_ROW = (  # from a news-train page: kept as the body, and its 500 characters of "prose"
    # made the "53 Comments" link below it end the page before the article
    "Epic makes more room for testers | Win tickets to see WrestleMania 24 | Xbox 360 Turok demo sneaks "
    "out | Revealed: How Stars Wars got into Soul Calibur | Duke Nukem 3D confirmed for XBLA? | Boogie "
    "Bunnies hops onto XBLA | Nintendo's Iwata pulled GoldenEye plug? | Lawsuit leaves XBL gamers in the "
    "dark | Wolfenstein director arrested on suspicion of manslaughter | No more knives in games, requests "
    "PM | Two minutes of Condemned 2 - movie | Decapitation skipped in first Highlander trailer | Bungie "
    "hints next Halo 3 map pack | Fable 2 gameplay footage | New TF2 maps shun 360, PS3? | 360 to be "
    'the "most reliable" console, says Gates'
)


def test_a_long_title_case_menu_is_not_prose_however_long():
    # Finnish stopwords ("football", "college", "pro") made it look like prose in some language.
    assert not is_anchor(SPORTS_MENU, ZoneSettings(), ENGLISH)
    assert is_anchor(PARA, ZoneSettings(), ENGLISH)
    texts = ["Sports", SPORTS_MENU, "Required fields are marked with an asterisk(*)", PARA, PARA2]
    assert kept(texts) == [PARA, PARA2]  # the menu no longer counts as prose before the form


def test_a_row_of_headlines_joined_by_bars_is_a_list():
    assert not is_anchor(HEADLINE_ROW, ZoneSettings(), ENGLISH)
    texts = ["Tips: Expert tips", HEADLINE_ROW, "53 Comments", PARA, PARA2, "Share this article"]
    assert kept(texts) == [PARA, PARA2]


def test_a_short_story_before_the_comments_outweighs_a_long_comment():
    story = [
        "It was a night of dominating defense, balanced scoring and another double-digit victory.",
        "Jazmine Jackson scored 15 points as the Irish knocked off up-and-coming Valley Christian 51-35 Friday.",
        "Tierra Rogers scored eight points for the Irish, while Jackson and Lauren Bell combined to hold the "
        "Warriors' top scorer to six points.",
        "Sacred Heart plays at Mitty on Tuesday in a rematch of last season's league final.",
        "The Irish have won all four of their league games by at least ten points.",
    ]  # ~390 characters of prose (under the 500 it took before): a story, though a short one
    comment = (
        "this is real good some one is talking about our kids in the city they don't do this enough and i'm "
        "very proud of all of our teams in the league. this is a real good league and they need more respect! "
    ) * 3
    assert kept([*story, "Comments", comment]) == story


TEASERS = [
    "Customers Leave Without Paying $690 Bill At Troy Steakhouse A party of six left the steakhouse in "
    "Troy without paying their bill after a fight broke out in the restaurant, police said on Monday.",
    "Michigan To Mail Redistricting Panel Applications The state of Michigan will mail 250,000 "
    "applications encouraging voters to apply to serve on a new redistricting commission this year.",
    "DNR Seeks Tips About Bull Elk Poached In Northern Michigan Conservation officers in Gaylord are "
    "seeking information about a bull elk that was shot and left to waste in a field last weekend.",
]
STORY = [
    "ST. JOSEPH, Mich. (AP) — Michigan health authorities are reporting a 6th fatality linked to "
    "Eastern Equine Encephalitis.",
    "Berrien County Health Department officials said Monday the victim was one of two people who "
    "contracted the mosquito borne virus. The death occurred Saturday.",
]


def test_headline_index_finds_the_page_title_printed_again():
    texts = ["Sixth Fatality Linked To Eastern Equine Encephalitis – CBS Detroit", "Menu", "News",
             "Sixth Fatality Linked To Eastern Equine Encephalitis", *STORY]  # fmt: skip
    assert headline_index(texts) == 3
    assert headline_index(["Menu", "News", "Menu", *STORY]) is None  # too short to be a title


def test_the_story_under_the_headline_beats_heavier_teasers_of_other_stories():
    title = "Sixth Fatality Linked To Eastern Equine Encephalitis"
    texts = [f"{title} – CBS Detroit", "Menu", "Latest Headlines", *TEASERS, "Weather", "More Weather",
             title, "November 19, 2019 at 9:45 am", *STORY, "Comments", "Follow Us"]  # fmt: skip
    assert sum(map(len, TEASERS)) > sum(map(len, STORY))
    assert kept(texts) == STORY
    # Without the headline on the page there is no evidence against the teasers.
    assert kept(texts[1:6] + texts[7:]) != STORY


def test_the_story_right_under_its_headline_beats_related_items_further_down():
    title = "Only Those Who Love Themselves Can Love"
    story = "Living a true experience of love is one of the greatest pleasures of life, and " * 3 + "so on"
    related = [  # teasers of other messages, cut short as such lists print them
        "Life asks us for optimism and courage to expect the best and make the best happen. " * 3 + "So…",
        "What unites a family is affection and caring for one another every single day. " * 3 + "Yes…",
        "Strength to win and faith to believe that every obstacle can be overcome in time. " * 3,
    ]
    texts = [f"{title} — Messages", "Good Morning", "Good Night", title, "WhatsApp Facebook Download", story,
             "Self-esteem, Reflection", "You may like...", *[x for r in related for x in (r, "WhatsApp Facebook Download")]]  # fmt: skip
    assert kept(texts) == [story]


def test_captions_leading_into_the_story_do_not_replace_it():
    # Photo captions above the story repeat the headline's words; the story must still win.
    title = "Patrick takes nascent campaign to South Carolina"
    caption = "Deval Patrick takes his nascent campaign to South Carolina, speaking with a business owner."
    story = [
        "COLUMBIA, S.C. (AP) — About a dozen small-business owners were gathered in a South Carolina "
        "shared workspace when Patrick walked in, eager to talk to them.",
        PARA,
        PARA2,
    ]
    texts = [f"{title} - CT Post", "Menu", title, "Updated 12:24 am", caption, caption,
             "Photo: AP", "Image 1 of 5", "Caption", "Close", *story]  # fmt: skip
    assert kept(texts)[-3:] == story


def test_teasers_of_other_stories_after_the_article_go():
    # news-train: an ANI story followed by "More" and the site's latest headlines, each with its lead.
    teasers = [
        "Sonia Gandhi attends Army Day reception",
        "New Delhi, Jan 15 (ANI): In her first public appearance after a brief illness, the Congress "
        "President looked hale and hearty at the Army Day reception.",
        "India marks 60th Army Day",
        "New Delhi, Jan 15 (ANI): The Indian Army on Tuesday commemorated its 60th Foundation Day by "
        "paying homage to martyred soldiers.",
        "SC allows bull-fighting in Tamil Nadu",
        "New Delhi, Jan 15 (ANI): The Supreme Court today lifted the ban it imposed on a popular sport "
        "that involves bullfighting in Tamil Nadu.",
    ]
    assert kept([PARA, PARA2, "More", *teasers]) == [PARA, PARA2]


def test_teaser_leads_with_abbreviations_are_still_one_sentence():
    # news-train (CBC): the site's headlines after the story; "U.S. Food", "p.m. ET" and "Inc. CEO"
    # end abbreviations, not sentences, so each lead is still a teaser's one sentence.
    teasers = [
        "U.S. FDA clears meat, milk from cloned animals",
        "A final risk assessment released Tuesday by the U.S. Food and Drug Administration has found "
        "that meat and milk from cloned animals are safe to consume.",
        "Raptors look for 4th-straight win",
        "Chris Bosh and the Toronto Raptors will try to match their longest winning streak of the season "
        "when they take on the Pistons in Detroit Tuesday (7:30 p.m. ET).",
        "Movie rentals, slim computer highlight speech by Apple's Jobs",
        "Downloadable movie rentals and an ultra-slim computer were in Apple Inc. CEO Steve Jobs's bag "
        "of goodies introduced Tuesday at the annual Macworld conference.",
    ]
    assert kept([PARA, PARA2, "Headlines", *teasers]) == [PARA, PARA2]


def test_a_roundup_of_headed_one_sentence_reports_is_the_story():
    roundup = [
        "Canucks 2 Ducks 1",
        "At Vancouver, Daniel Sedin and Matt Cooke each scored and Roberto Luongo stopped 21 shots as "
        "the Canucks beat the struggling Ducks.",
        "Flyers 1 Panthers 0",
        "At Sunrise, Fla., Antero Niittymaki stopped 38 shots and defenceman Derian Hatcher provided "
        "the game's lone goal.",
        "Kings 3 Blackhawks 2 (OT)",
        "At Chicago, Dustin Brown ignited a third-period comeback and added the overtime winner as Los "
        "Angeles rallied to beat the Blackhawks.",
    ]
    assert kept([PARA, PARA2, *roundup]) == [PARA, PARA2, *roundup]


def test_the_body_printed_again_as_one_block_in_the_page_metadata_is_not_prose():
    # articles: Business Insider pages print the whole article again in their schema data.
    story = [PARA, PARA2, PARA.replace("Sunday", "Monday"), PARA2.replace("28", "30")]
    metadata = ["Charlie Wood", "2019-11-19T08:57:40+01:00", "https://static6.example.de/image/1.jpg", "500"]
    texts = ["Good morning!", *story, "Mehr: tech", *metadata, " ".join(story), "international", *metadata]
    assert kept(texts) == story


def test_a_scene_break_inside_a_story_costs_little():
    # news-train: a toolbar, "Font:" and four "*" lines split a Vancouver Sun story in two.
    rest = [
        "The impact deployed the cruiser's airbag, causing the minor injuries to the officer.",
        "The other driver, an 83-year-old man, was taken to hospital for observation, but wasn't injured.",
        "Investigators later learned that the man had been reported missing Wednesday to the RCMP.",
    ]
    texts = [PARA, "Email to a friend Printer friendly", "Font:", "*", "*", "*", "*", *rest, "© The Sun 2008"]
    assert kept(texts) == [PARA, *rest]  # "Font:" is the toolbar's


def test_the_writers_bio_after_the_story_goes_with_its_heading():
    bio = "Moritz Bachmann works as inbound sales manager between the online marketing team and sales, and writes here."
    assert kept([PARA, PARA2, "About Moritz Bachmann", bio]) == [PARA, PARA2]


def test_the_links_under_a_related_heading_inside_the_story_go_with_it():
    # articles: a "Most read" box between two parts of a story.
    box = ["Most read in world news", "RANDY ANDY", "Andrew parties in unearthed pics despite claiming he avoids PDAs",
           "TIME TRAVELLER", "Conspiracy theorists say they've spotted Greta Thunberg in 120-year-old pic"]  # fmt: skip
    after = [PARA2.replace("19", "21"), PARA.replace("Sunday", "Monday"), PARA2.replace("28", "30")]
    verdicts = classify([PARA, PARA2, *box, *after])
    assert [v.keep for v in verdicts] == [True, True] + [False] * len(box) + [True] * len(after)
    assert {(v.category, v.rule) for v in verdicts[3 : 2 + len(box)]} == {("related_links", "related_box")}


def test_a_paragraph_printed_twice_in_the_body_keeps_its_last_copy():
    caption = "Los Angeles Lakers' LeBron James dunks during the first half of the game against the Thunder."
    texts = [PARA, "Subhead", caption, caption, "Photo: Ringo H.W. Chiu, AP", PARA2, caption, PARA]
    verdicts = classify(texts)
    kept_texts = [t for t, v in zip(texts, verdicts, strict=True) if v.keep]
    assert kept_texts == ["Subhead", PARA2, caption, PARA]  # the first PARA, two captions: earlier copies
    assert {v.rule for v in verdicts if not v.keep} == {"printed_twice", "photo_credit_label"}


def test_a_story_printed_twice_whole_and_a_repeated_question_stay():
    story = [PARA, PARA2, PARA.replace("Sunday", "Monday")]
    assert kept([*story, "Print", *story]) == [*story, *story]
    question = "What inspired you to start cooking for a living, and who taught you first?"
    assert kept([question, PARA, question, PARA2]) == [question, PARA, question, PARA2]


def test_a_gallery_inside_the_story_goes_and_the_story_goes_on_across_it():
    gallery = []
    for number, caption in enumerate(
        ["An artist's concept of the Blue Moon lander.", "A concept lunar rover."], 1
    ):
        gallery += [f"Image {number} of 2", caption, "(Image credit: Blue Origin)"]
    after = [PARA2.replace("19", "21"), PARA.replace("Sunday", "Monday")]
    verdicts = classify([PARA, PARA2, *gallery, *after])
    assert [v.keep for v in verdicts] == [True, True] + [False] * len(gallery) + [True, True]
    assert {v.rule for v in verdicts if not v.keep} == {"gallery", "photo_credit_label"}
    # A sentence that opens with a count is no gallery.
    assert kept([PARA, "1 of 4 voters said no to the plan on Sunday, officials said.", PARA2])[1].startswith(
        "1 of 4"
    )


def test_extracted_text_keeps_the_story_after_an_inline_related_heading():
    # trafilatura's main text: the box's links go, the paragraphs after them stay.
    texts = [PARA, "Related", "Police report 3 arrests after the match", PARA2, "Advertisement", PARA.upper()]
    assert kept(texts, extracted=True) == [PARA, PARA2, PARA.upper()]


def test_a_list_the_story_announces_with_a_colon_stays_with_it():
    dates = ["June 9 -- Coral Sky Amphitheatre, West Palm Beach, FL", "June 10 -- MIDFLORIDA Amphitheatre, Tampa, FL",
             "June 14 -- Ameris Bank Amphitheatre, Alpharetta, GA"]  # fmt: skip
    story = [PARA, PARA2]
    texts = [*story, "The Doobie Brothers 50th Anniversary Tour 2020 dates:", *dates, "© 2019 Rolling Stone"]
    assert kept(texts) == [*story, texts[2], *dates]
    # Share links and other stories are announced with a colon too, but are not the story's.
    assert kept([*story, "Bookmark with:", "Delicious", "Digg", "Reddit"]) == story
    others = ["Comeback kid Joyce", "Blues back in the hunt", "Boxing Day blues"]
    assert kept([*story, "Other stories from this category that may interest you:", *others]) == story


def test_comments_in_a_share_toolbar_is_a_link_not_the_comment_section():
    # articles: Fox Business prints "Facebook Twitter Comments Print Email" above the story.
    toolbar = ["Facebook", "Twitter", "Comments", "Print", "Email"]
    dek = "The home-improvement retailer earned $2.8 billion in the third quarter, below what analysts expected."
    story = [PARA, PARA2, PARA.replace("Sunday", "Monday")]
    disclaimer = "Quotes delayed at least 15 minutes. " * 12  # prose enough to let a comment section begin
    assert kept([disclaimer, "Earnings", dek, *toolbar, *story])[-3:] == story
    # After a toolbar, with the comments after it, "Comments" still opens the comment section.
    comment = (
        "Some comments posted here may be reviewed before they are displayed, so please be patient. " * 3
    )
    assert kept([*story, "Print Email Return to Top", "Comments", comment]) == story


def test_a_results_list_after_the_byline_a_photo_and_a_heading_is_the_body():
    # articles: a Florida Today roundup; the byline is "Published 2:16 AM EST Nov 20, 2019".
    texts = ["HS Roundup: Viera defeats Rockledge", "Elliot Brownstein Florida Today",
             "Published 2:16 AM EST Nov 20, 2019", "Soccer ball on grass", "Jupiterimages, Getty Images",
             "GIRLS BASKETBALL", *RESULTS, "Terms of Service Privacy Notice", "© Copyright Gannett 2018"]  # fmt: skip
    assert kept(texts)[-len(RESULTS) :] == RESULTS


def test_a_japanese_story_weighs_as_much_as_its_length_in_english_would():
    # articles: short Japanese paragraphs lost to the headings between them (each costs 40-60).
    paragraphs = ["Kindle書籍を読む場合は、一般的にスマホやタブレットを使います。",
                  "さて、このKindle for PC、操作性がいまいちです。",
                  "特に困ったのが、起動ショートカットキーに関する設定でした。"]  # fmt: skip
    texts = [
        "ソフトウェア一般",
        paragraphs[0],
        "起動ホットキーがかぶる",
        *paragraphs[1:],
        "関連記事",
        "Speccyのportable版",
    ]
    assert [t for t in kept(texts) if t in paragraphs] == paragraphs


def test_a_table_under_a_heading_after_the_story_stays_but_dated_links_do_not():
    story = [PARA, PARA2]
    dates = [f"June {day} – Tampa, FL @ MIDFLORIDA Credit Union Amphitheatre" for day in (9, 10, 14, 17, 19)]
    assert kept([*story, "The Doobie Brothers Tour Dates", *dates, "© 2019 Rolling Stone"]) == [
        *story, "The Doobie Brothers Tour Dates", *dates,
    ]  # fmt: skip
    links = [f"January 15, 2008 {title}" for title in ("Police make arrest", "Worker rescued", "GOP vies",
                                                       "Community tries", "Two cops honored")]  # fmt: skip
    assert kept([*story, "More headlines", *links]) == story


def test_a_short_closing_sentence_stays_with_the_story():
    # news-train: the last line of a story, too short to count as prose by itself.
    texts = [PARA, PARA2, "The art was not damaged in the fire.", "Home", "Contact us"]
    assert kept(texts) == [PARA, PARA2, "The art was not damaged in the fire."]


def test_short_lines_after_the_story_that_are_not_its_sentences_go():
    for after in (
        "Post to the Mailbox!",
        "John Bartosek, Editor, The Palm Beach Post.",
        "CANOE home | We welcome your feedback.",
    ):
        assert kept([PARA, PARA2, after, "Home"]) == [PARA, PARA2], after


def test_a_box_score_under_the_story_is_kept():
    # news-train: a basketball story and its box score, rows of figures with the teams between them.
    box_score = [
        "NEVADA 72, SAN JOSE STATE 51",
        "SAN JOSE STATE (1-14 (0-2 WAC))",
        "Criner, Dellena 4-7 7-8 17; Moore, Shavon 6-6 1-2 13; Ward, Johnna 4-10 1-2 11",
        "NEVADA (10-4 (1-0 WAC))",
        "Davis, Tamiko 3-5 2-2 8; Barnes, Myosha 2-9 0-0 4; White, Natalie 8-15 4-6 21",
        "San Jose State................ 19 32 - 51",
        "Nevada........................ 41 31 - 72",
    ]
    assert kept([PARA, PARA2, *box_score, "Home", "Contact us"]) == [PARA, PARA2, *box_score]


def test_links_and_scripts_with_numbers_after_the_story_are_not_a_table():
    links = [
        "Top 10 players to watch in 2008",
        "Police: 2 hurt in crash on Route 9",
        "Jets sign 3 free agents",
        "Storm to bring 6 inches of snow",
        "Weather",
    ]
    assert kept([PARA, PARA2, *links]) == [PARA, PARA2]
    scripts = ["<SCRIPT LANGUAGE='JavaScript1.1'>if (document.layers) {document.write(1, 2)}</SCRIPT>"] * 5
    assert kept([PARA, PARA2, *scripts]) == [PARA, PARA2]


def test_a_teaser_run_holding_a_long_question_headline_still_goes():
    # news-train (CBC): a ten-word question weighs as prose, but it is one more headline.
    teasers = [
        "Housing prices outpacing income growth: study",
        "Canada's real estate market may not be slowing, but a study suggests incomes are falling behind.",
        "Will banks refuse to follow Bank of Canada rate cut?",
        "Financial markets were buzzing over suggestions that the big banks may not cut their prime rates.",
        "Pet insurance perk growing in popularity",
        "At a time when employers are scaling back on costly health benefits, pet insurance is gaining ground.",
    ]
    assert kept([PARA, PARA2, "More headlines", *teasers]) == [PARA, PARA2]


# The sentence-end pattern as first written, before ends_a_sentence read texts from their end.
FIRST_TERMINAL = re.compile(r"""[.!?…。！？।॥؟۔։።။។]["'”’»)\]」』）]*$|[.!?]\s*\[\d+\]$""")
ENDINGS = st.sampled_from(
    [
        ".",
        "!",
        "?",
        "…",
        "。",
        "।",
        '"',
        "'",
        "”",
        "’",
        "»",
        ")",
        "]",
        "[",
        "」",
        "）",
        " ",
        "\n",
        "3",
        "a",
        "Z",
    ]
)


@given(
    st.text()
    | st.lists(ENDINGS).map("".join)
    | st.tuples(st.text(max_size=20), st.lists(ENDINGS)).map(lambda t: t[0] + "".join(t[1]))
)
@example("It ended.\n")  # $ matches before a final newline too
@example("as noted. [12]")
@example("“Go.”)]")
def test_ends_a_sentence_is_the_sentence_end_pattern(text):
    assert ends_a_sentence(text) == bool(FIRST_TERMINAL.search(text)) == bool(TERMINAL.search(text))

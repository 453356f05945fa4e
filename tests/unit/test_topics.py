"""Topic words (data/topics.yml, nlu.topics) and a letter's first sentence
(nlu.components.lead_span): the two aids the linear model has for what no example says."""
import yaml

from nlu.components import LEAD_FROM, lead_span, linear_features, with_lead
from nlu.intents import CATEGORIES
from nlu.topics import TOPICS_FILE, topic_tokens, topic_words


def test_every_topic_list_is_a_category_or_out_of_scope_and_no_word_is_in_two():
    lists = yaml.safe_load(TOPICS_FILE.read_text(encoding="utf-8"))
    assert set(lists) == set(CATEGORIES) | {"out_of_scope"}
    seen: dict[str, str] = {}
    for topic, words in lists.items():
        for word in words:
            assert word not in seen, f"{word} is in {seen.get(word)} and {topic}"
            seen[word] = topic
    # Generic words would point everywhere at once.
    assert not {"物业", "小区", "投诉", "问题"} & set(seen)


def test_topic_words_are_found_longest_first_and_become_one_token_per_word(tmp_path):
    lists = tmp_path / "topics.yml"
    lists.write_text("repair: [电梯, 路灯]\nsafety: [电梯困人]\nout_of_scope: [开发商]\n", encoding="utf-8")
    assert topic_words("3号楼电梯困人了，路灯也不亮", lists) == [("电梯困人", "safety"), ("路灯", "repair")]
    assert topic_tokens("开发商说电梯归物业管", lists) == ["topic:out_of_scope", "topic:repair"]
    assert topic_tokens("楼下有人吵架", lists) == []


def test_the_linear_model_reads_the_topic_lists_of_a_message():
    features = linear_features("楼道里的声控灯坏了", ["楼道", "里", "的", "声控灯", "坏", "了"])
    assert features[0] == "楼道里的声控灯坏了"
    assert "topic:repair" in features[2].split()


def test_a_letter_is_read_by_its_first_sentence_a_chat_message_whole():
    letter = "关于某楼盘开发商延期交房的问题。" + "小区里电梯、车库和路灯都还没有弄好，业主多次反映无果。" * 3
    assert len(letter) >= LEAD_FROM
    start, end = lead_span(letter)
    assert letter[start:end] == "关于某楼盘开发商延期交房的问题"
    assert lead_span("3号楼电梯坏了三天了。老人下不了楼，请尽快派人来修") is None
    # A short opening ("您好！") is no first sentence.
    greeting = "您好！" + letter
    start, end = lead_span(greeting)
    assert greeting[start:end] == "关于某楼盘开发商延期交房的问题"


def test_a_letter_whose_title_is_followed_by_a_space_is_read_by_its_title():
    # A message-board letter (title, a space, the text) or a phone message that ends its
    # first sentence with a space.
    letter = "和平巷路灯坏了一个多月 " + "晚上巷子里一片漆黑，开发商说小区还没交付，物业也不管，我们找谁都没用。" * 2
    start, end = lead_span(letter)
    assert letter[start:end] == "和平巷路灯坏了一个多月"


def test_a_letters_ranking_weighs_its_first_sentence_by_lead_weight():
    assert with_lead([0.8, 0.2], [0.2, 0.8], 0.5) == [0.5, 0.5]
    assert with_lead([0.8, 0.2], None, 0.5) == [0.8, 0.2]

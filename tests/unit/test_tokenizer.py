"""The Jieba tokenizer fix: no blank tokens, offsets into the text, places kept whole."""
import pytest
from rasa.shared.nlu.training_data.message import Message

from nlu.components import CleanJiebaTokenizer, load_dictionary, split_at


@pytest.fixture(scope="module")
def tokenizer():
    load_dictionary()
    return CleanJiebaTokenizer(CleanJiebaTokenizer.get_default_config(), None, None)


def tokens(tokenizer, text):
    return [(t.text, t.start, t.end) for t in tokenizer.tokenize(Message(data={"text": text}), "text")]


def test_no_blank_token_in_mixed_text(tokenizer):
    found = tokens(tokenizer, "电梯 坏了  lift broken 3号楼")
    assert all(text.strip() for text, _, _ in found)


def test_offsets_point_into_the_text(tokenizer):
    text = "hello 望江花园 3号楼 电梯坏了"
    for token, start, end in tokens(tokenizer, text):
        assert text[start:end] == token


def test_a_place_and_its_house_number_are_token_aligned(tokenizer):
    text = "翠竹苑3号楼顶楼加盖了一层"
    ends = {end for _, _, end in tokens(tokenizer, text)}
    starts = {start for _, start, _ in tokens(tokenizer, text)}
    assert 0 in starts and len("翠竹苑3号楼") in ends


def test_district_words_come_from_the_generated_dictionary(tokenizer):
    assert ("锦秀大道", 0, 4) in tokens(tokenizer, "锦秀大道有坑")


def test_split_at_cuts_only_inside_a_word():
    assert split_at("楼顶", 5, {6, 9}) == [("楼", 5), ("顶", 6)]
    assert split_at("楼顶", 5, {5, 7}) == [("楼顶", 5)]

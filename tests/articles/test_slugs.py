"""Pinyin slugs (articles.slugs): polyphonic characters read by their phrase, without holding
pypinyin's whole phrase dictionary."""

import json
import os
import subprocess
import sys
from pathlib import Path

from articles.slugs import pinyin_slug, pinyin_slugs

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str, **env) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def test_polyphonic_characters_are_read_by_the_phrase_they_are_in():
    assert pinyin_slug("重庆银行") == "chong-qing-yin-hang"
    assert pinyin_slug("银行行长") == "yin-hang-hang-zhang"
    assert pinyin_slug("长江经济带") == "chang-jiang-jing-ji-dai"
    assert pinyin_slug("重新调整产业结构") == "chong-xin-tiao-zheng-chan-ye-jie-gou"
    assert pinyin_slugs(["行业洞见", "调查研究", "Zone 5G园区"]) == {
        "行业洞见": "hang-ye-dong-jian",
        "调查研究": "diao-cha-yan-jiu",
        "Zone 5G园区": "zone-5g-yuan-qu",
    }


def test_making_slugs_does_not_load_the_whole_phrase_dictionary():
    out = run_python(
        "import sys; from articles.slugs import pinyin_slug; pinyin_slug('重庆银行行长');"
        "from pypinyin.constants import PHRASES_DICT;"
        "print(len(PHRASES_DICT), 'pypinyin.phrases_dict' in sys.modules)"
    )
    phrases, whole_dictionary = out.split()
    assert whole_dictionary == "False"
    assert int(phrases) < 10  # 重庆, 银行, 行长 and the like, not 47,000


SAMPLE = """
import json, random, re, sys
from importlib import resources
from articles.slugs import pinyin_slug, pinyin_slugs
text = resources.files("pypinyin").joinpath("phrases_dict.json").read_text(encoding="utf-8")
keys = sorted(re.findall(r'^"([^"]+)": ', text, re.M))
rng = random.Random(17)
names = rng.sample(keys, 300) + [rng.choice(keys)[1:] + rng.choice(keys) for _ in range(300)]
slugs = {name: pinyin_slug(name) for name in names[:50]}  # one by one, then in bulk
slugs.update(pinyin_slugs(names[50:]))
print(json.dumps(slugs))
"""


def test_slugs_are_those_of_the_whole_phrase_dictionary():
    """Names that hold phrases of the dictionary, and pieces of them run together, get the slugs
    pypinyin gives with its whole dictionary loaded (as tags and categories made before got)."""
    lean = json.loads(run_python(SAMPLE))
    whole_dictionary = "import pypinyin.phrases_dict\n" + SAMPLE
    whole = json.loads(run_python(whole_dictionary, PYPINYIN_NO_PHRASES=""))
    assert len(lean) == 600
    assert lean == whole

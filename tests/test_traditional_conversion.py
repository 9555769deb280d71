"""简繁 conversion rules: what a reader reads is converted, what a machine reads never is."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from hitech_portal.traditional import convert_feed, convert_html, convert_json_text


def test_text_and_human_readable_attributes_are_converted():
    html = (
        '<title>国家高新区</title><meta name="description" content="发展概况">'
        '<meta property="og:title" content="区域经济"><meta property="og:url" content="/国家/">'
        '<img src="/media/国家.png" alt="国家地图"'
        ' title="园区" class="国家" id="区域" data-name="国家">'
        '<input type="search" name="q" value="国家" placeholder="搜索国家">'
        '<button type="submit" aria-label="开始搜索">搜索</button>'
        '<input type="submit" value="发送">'
    )
    assert convert_html(html) == (
        '<title>國家高新區</title><meta name="description" content="發展概況">'
        '<meta property="og:title" content="區域經濟"><meta property="og:url" content="/国家/">'
        '<img src="/media/国家.png" alt="國家地圖"'
        ' title="園區" class="国家" id="区域" data-name="国家">'
        '<input type="search" name="q" value="国家" placeholder="搜索國家">'
        '<button type="submit" aria-label="開始搜索">搜索</button>'
        '<input type="submit" value="發送">'
    )


def test_code_styles_scripts_comments_and_typed_text_are_left_alone():
    html = (
        "<p>区域</p><code>国家()</code><kbd>国家</kbd><pre>发展 <code>区域</code></pre>"
        "<style>.国家{}</style><script src=/static/x.js></script><script>var a='国家'</script>"
        "<!-- 国家 --><textarea name=n>国家</textarea>"
    )
    assert convert_html(html) == (
        "<p>區域</p><code>国家()</code><kbd>国家</kbd><pre>發展 <code>区域</code></pre>"
        "<style>.国家{}</style><script src=/static/x.js></script><script>var a='国家'</script>"
        "<!-- 国家 --><textarea name=n>国家</textarea>"
    )


def test_elements_marked_translate_no_are_left_alone_nested_or_void():
    html = (
        '<div translate="no">国家<div>发展</div>区域</div>后来'
        '<img translate="no" alt="国家" src="/a.png">发展<br translate=no/>区域'
        "<span translate='no'>简体</span>"
    )
    assert convert_html(html) == (
        '<div translate="no">国家<div>发展</div>区域</div>後來'
        '<img translate="no" alt="国家" src="/a.png">發展<br translate=no/>區域'
        "<span translate='no'>简体</span>"
    )


def test_root_relative_links_and_forms_stay_in_the_traditional_view():
    html = (
        '<a href="/">首页</a><a href="/articles/1/?x=1#c">文</a>'
        '<a class="c" href="/zh-hant/tags/a/">'
        '标</a><a href="/static/a.pdf">件</a><a href="/admin/">后台</a><a href="/healthz">查</a>'
        '<a href="//cdn.example.com/x">外</a><a'
        ' href="https://example.com/">外</a><a href="#main">跳</a>'
        '<a href="?page=2">下</a><form action="/search/"></form><link rel="alternate" href="/x/">'
        '<a href="/" translate="no" hreflang="zh-Hans">简体</a>'
    )
    assert convert_html(html) == (
        '<a href="/zh-hant/">首頁</a><a href="/zh-hant/articles/1/?x=1#c">文</a>'
        '<a class="c" href="/zh-hant/tags/a/">標</a><a href="/static/a.pdf">件</a>'
        '<a href="/admin/">後臺</a><a href="/healthz">查</a>'
        '<a href="//cdn.example.com/x">外</a><a'
        ' href="https://example.com/">外</a><a href="#main">跳</a>'
        '<a href="?page=2">下</a><form action="/zh-hant/search/">'
        '</form><link rel="alternate" href="/x/">'
        '<a href="/" translate="no" hreflang="zh-Hans">简体</a>'
    )


def test_json_ld_values_are_converted_keys_and_urls_kept_and_it_stays_json():
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "国家高新区</script><script>alert(1)",
        "url": "https://portal.example.com/国家/",
        "image": ["/media/国家.png"],
        "inLanguage": "zh-Hans",
        "author": {"@type": "Organization", "name": "高新院"},
        "mainEntity": [{"@type": "Question", "name": "Q1: 什么是高新区?"}],
        "区域": 178,
    }
    block = json.dumps(data).replace("</", "<\\/")  # as a template writes it: \\u escapes
    html = f'<script type="application/ld+json">{block}</script><p>国家</p>'
    converted = convert_html(html)
    inner = converted.split(">", 1)[1].rsplit("</script>", 1)[0]
    assert "</" not in inner
    assert json.loads(inner) == {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "國家高新區</script><script>alert(1)",
        "url": "https://portal.example.com/国家/",
        "image": ["/media/国家.png"],
        "inLanguage": "zh-Hant",
        "author": {"@type": "Organization", "name": "高新院"},
        "mainEntity": [{"@type": "Question", "name": "Q1: 什麼是高新區?"}],
        "区域": 178,
    }
    assert converted.endswith("</script><p>國家</p>")


def test_broken_json_is_left_as_it_is():
    assert convert_json_text('{"name": "国家",}') == '{"name": "国家",}'


def test_feed_text_is_converted_and_its_links_and_guids_kept():
    feed = (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss'
        ' version="2.0"><channel><title>国家高新区</title>'
        "<link>https://p.example.com/</link><description>最新文章</description>"
        '<atom:link href="https://p.example.com/国家/"'
        ' rel="self"></atom:link><item><title>发展报告</title>'
        "<link>https://p.example.com/articles/1/</link>"
        "<description>&lt;p&gt;国家&lt;a"
        ' href="https://p.example.com/国家/"&gt;区域&lt;/a&gt;&lt;/p&gt;'
        "</description><guid>https://p.example.com/国家/</guid><category>政策解读</category>"
        "</item></channel></rss>"
    )
    assert convert_feed(feed) == (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss'
        ' version="2.0"><channel><title>國家高新區</title>'
        "<link>https://p.example.com/</link><description>最新文章</description>"
        '<atom:link href="https://p.example.com/国家/"'
        ' rel="self"></atom:link><item><title>發展報告</title>'
        "<link>https://p.example.com/articles/1/</link>"
        "<description>&lt;p&gt;國家&lt;a"
        ' href="https://p.example.com/国家/"&gt;區域&lt;/a&gt;&lt;/p&gt;'
        "</description><guid>https://p.example.com/国家/</guid><category>政策解讀</category>"
        "</item></channel></rss>"
    )


def test_private_use_characters_in_a_page_survive():
    html = '<p title="国家">国家\ue000发展\ue0010\ue001</p><p>区域</p>'
    assert convert_html(html) == '<p title="國家">國家\ue000發展\ue0010\ue001</p><p>區域</p>'


@pytest.mark.parametrize("profile", ["s2t", "s2tw", "s2hk"])
def test_a_nul_in_the_text_does_not_cut_the_page_short(settings, profile):
    settings.OPENCC_PROFILE = profile
    page = convert_html("<p>为\x00线</p><p>后面的段落</p>")
    assert page.endswith("<p>後面的段落</p>")
    assert "\x00" in page


def test_an_unknown_conversion_profile_is_a_clear_configuration_error(settings):
    settings.OPENCC_PROFILE = "t2s"
    with pytest.raises(SystemCheckError, match="OPENCC_PROFILE 't2s' is not a simplified-to"):
        call_command("check")

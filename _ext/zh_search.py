"""Chinese full-text search that also finds words that appear only in page bodies.

Why Sphinx's built-in Chinese search misses them (Sphinx 7.4, ``sphinx/search/zh.py`` and
``searchtools.js``): at build time the page text is cut into words with
``jieba.cut_for_search``, so the index holds dictionary words such as ``梯度`` and ``消失``;
in the browser, however, ``splitQuery`` only splits the query at non-letters, so the query
``梯度消失`` stays one term. That term is not in the index, and the partial-match fallback
only looks for index terms that *contain* the query, never for terms the query is made of.
Page titles still match because ``searchtools.js`` also does a substring search over all
titles, which is why the bug shows only for words in page bodies.

The fix: a search language that keeps Sphinx's Chinese indexing (jieba) and ships a
``splitQuery`` that cuts each run of Chinese characters in the query into the words the index
actually holds (the segmentation that covers the most characters with the fewest words). The
words are then required together, as for a multi-word English query. Single Chinese
characters are never indexed (Sphinx's ``word_filter`` drops them), so a leftover single
character is not made a required term.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx.search.zh import SearchChinese

# Runs in language_data.js, which the theme loads after searchtools.js, so this definition
# replaces the default splitQuery. It is only called once the index is loaded.
JS_SPLITTER = r"""
var splitQuery = function (query) {
  var index = (typeof Search !== "undefined" && Search._index) || {};
  var terms = index.terms || {};
  var titleterms = index.titleterms || {};
  var known = function (w) {
    return Object.prototype.hasOwnProperty.call(terms, w) ||
      Object.prototype.hasOwnProperty.call(titleterms, w);
  };
  var MAXLEN = 12;
  // Best segmentation of a Chinese run: fewest uncovered characters, then fewest words.
  var segment = function (run) {
    var n = run.length;
    var best = [[0, 0, null, 0]];  // [uncovered, words, previous cut, known?]
    for (var i = 1; i <= n; i++) {
      var b = best[i - 1];
      best[i] = [b[0] + 1, b[1] + 1, i - 1, 0];
      for (var j = Math.max(0, i - MAXLEN); j < i - 1; j++) {
        if (!known(run.slice(j, i))) continue;
        var c = best[j];
        if (c[0] < best[i][0] || (c[0] === best[i][0] && c[1] + 1 < best[i][1]))
          best[i] = [c[0], c[1] + 1, j, 1];
      }
    }
    var words = [];
    for (var k = n; k > 0; k = best[k][2])
      if (best[k][3]) words.unshift(run.slice(best[k][2], k));
    return words.length ? words : [run];
  };
  var out = [];
  query.split(/[^\p{Letter}\p{Number}_\p{Emoji_Presentation}]+/gu).forEach(function (part) {
    if (!part) return;
    part.split(/(\p{Script=Han}+)/u).forEach(function (piece) {
      if (!piece) return;
      if (/^\p{Script=Han}+$/u.test(piece)) {
        if (piece.length === 1 && !known(piece)) return;
        out.push.apply(out, segment(piece));
      } else {
        out.push(piece);
      }
    });
  });
  return out;
};
"""


class SearchChineseBodyWords(SearchChinese):
    """Sphinx's Chinese search (jieba at build time) plus a query splitter that matches it."""

    js_splitter_code = JS_SPLITTER


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_search_language(SearchChineseBodyWords)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

/* Self-check quizzes (_ext/quiz.py). No kernel, no network: every explanation is already in
   the page (hidden); checking an answer copies the matching one into the question's aria-live
   feedback region. Added only to pages that hold a quiz. */
"use strict";
(function () {
  function parseNumber(raw) {
    var text = raw.trim()
      .replace(/[０-９]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xfee0); })
      .replace(/[．。]/g, ".").replace(/[－—−]/g, "-").replace(/[＋]/g, "+")
      .replace(/\s+/g, "").replace(/[×x]10\^/i, "e");
    if (text === "") return NaN;
    var fraction = text.match(/^([-+]?[\d.]+(?:e[-+]?\d+)?)\/([-+]?[\d.]+(?:e[-+]?\d+)?)$/i);
    if (fraction) return Number(fraction[1]) / Number(fraction[2]);
    var power = text.match(/^([-+]?[\d.]+)\^([-+]?\d+)$/);
    if (power) return Math.pow(Number(power[1]), Number(power[2]));
    var percent = text.match(/^(.*)%$/);
    if (percent) return Number(percent[1]) / 100;
    return Number(text);
  }

  function explanation(form, key) {
    return form.querySelector('.quiz-explanations > [data-key="' + key + '"]');
  }

  function show(form, verdict, ok, blocks) {
    var region = form.querySelector(".quiz-feedback");
    region.textContent = "";
    region.classList.remove("quiz-right", "quiz-wrong", "quiz-note");
    region.classList.add(ok === true ? "quiz-right" : ok === false ? "quiz-wrong" : "quiz-note");
    var head = document.createElement("p");
    head.className = "quiz-verdict";
    var strong = document.createElement("strong");
    strong.textContent = verdict;
    head.appendChild(strong);
    region.appendChild(head);
    blocks.forEach(function (block) {
      if (!block) return;
      Array.prototype.forEach.call(block.childNodes, function (child) {
        region.appendChild(child.cloneNode(true));
      });
    });
  }

  function check(form) {
    var see = explanation(form, "see");
    if (form.dataset.kind === "choice") {
      var picked = form.querySelector('input[type="radio"]:checked');
      if (!picked) {
        show(form, "请先选择一个选项。", null, []);
        return;
      }
      var block = explanation(form, picked.value);
      var ok = block && block.dataset.correct === "true";
      show(form, ok ? "✓ 回答正确。" : "✗ 回答错误。", ok, [block, see]);
      return;
    }
    var input = form.querySelector('input[type="text"]');
    var value = parseNumber(input.value);
    if (!isFinite(value)) {
      input.setAttribute("aria-invalid", "true");
      show(form, "请输入一个数，例如 0.25、1/4 或 9.8e-4。", null, []);
      return;
    }
    var answer = Number(form.dataset.answer);
    var tolerance = Number(form.dataset.tolerance);
    var slack = 1e-9 * Math.max(1, Math.abs(answer));
    if (Math.abs(value - answer) <= tolerance + slack) {
      input.removeAttribute("aria-invalid");
      show(form, "✓ 回答正确。", true, [explanation(form, "correct"), see]);
      return;
    }
    input.setAttribute("aria-invalid", "true");
    var mistakes = form.querySelectorAll('.quiz-explanations > [data-key^="mistake-"]');
    var specific = null;
    Array.prototype.forEach.call(mistakes, function (m) {
      var target = Number(m.dataset.value);
      if (!specific && Math.abs(value - target) <= tolerance + 1e-9 * Math.max(1, Math.abs(target))) {
        specific = m;
      }
    });
    show(form, "✗ 回答错误。", false, [specific || explanation(form, "wrong"), see]);
  }

  function init() {
    document.querySelectorAll("section.quiz form.quiz-question").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        check(form);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

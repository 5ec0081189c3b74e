// Glossary definitions of {term} links (_ext/term_tips.py). Hover and keyboard focus are CSS;
// this adds: Escape hides a shown definition; on a touch screen the first tap on a term shows
// its definition and the second follows the link; a definition near the right edge opens to
// the left so it never widens the page.
(() => {
  const wraps = [...document.querySelectorAll(".term-tip-wrap")];
  const touch = window.matchMedia("(hover: none)").matches;
  const place = (wrap) => {
    const tip = wrap.querySelector(".term-tip");
    tip.classList.remove("term-tip-flip");
    const box = tip.getBoundingClientRect();
    if (box.width && box.right > document.documentElement.clientWidth - 4) {
      tip.classList.add("term-tip-flip");
    }
  };
  const close = (except) => {
    wraps.forEach((w) => w !== except && w.classList.remove("term-tip-open"));
  };
  wraps.forEach((wrap) => {
    const link = wrap.querySelector("a");
    wrap.addEventListener("mouseenter", () => place(wrap));
    wrap.addEventListener("mouseleave", () => wrap.classList.remove("term-tip-dismissed"));
    link.addEventListener("focus", () => place(wrap));
    link.addEventListener("blur", () => {
      wrap.classList.remove("term-tip-dismissed", "term-tip-open");
    });
    link.addEventListener("click", (event) => {
      if (touch && !wrap.classList.contains("term-tip-open")) {
        event.preventDefault();
        close(wrap);
        wrap.classList.remove("term-tip-dismissed");
        wrap.classList.add("term-tip-open");
        place(wrap);
      }
    });
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      wraps
        .filter((w) => w.matches(":hover, :focus-within, .term-tip-open"))
        .forEach((w) => {
          w.classList.remove("term-tip-open");
          w.classList.add("term-tip-dismissed");
        });
    }
  });
  document.addEventListener("click", (event) => {
    if (!event.target.closest(".term-tip-wrap")) close(null);
  });
})();

// Render equations with the vendored KaTeX (no network): the \( … \) and \[ … \] spans that
// pymdownx.arithmatex (generic mode) writes in the Markdown pages, and the $…$ / $$…$$ of the
// notebooks' Markdown cells (mkdocs-jupyter leaves them as text). Runs on every page load,
// including Material's instant navigation.
function crescapeRenderMath() {
  document.querySelectorAll(".arithmatex").forEach(function (el) {
    renderMathInElement(el, {
      delimiters: [
        { left: "\\[", right: "\\]", display: true },
        { left: "\\(", right: "\\)", display: false },
      ],
      throwOnError: false,
    });
  });
  document.querySelectorAll(".jp-RenderedMarkdown, .jp-MarkdownOutput").forEach(function (el) {
    renderMathInElement(el, {
      delimiters: [
        { left: "$$", right: "$$", display: true },
        { left: "\\[", right: "\\]", display: true },
        { left: "\\(", right: "\\)", display: false },
        { left: "$", right: "$", display: false },
      ],
      throwOnError: false,
    });
  });
}
if (typeof document$ !== "undefined") {
  document$.subscribe(crescapeRenderMath);
} else {
  document.addEventListener("DOMContentLoaded", crescapeRenderMath);
}

// Document viewer: open at the marked evidence; search the whole text (with or without Vietnamese
// diacritics), Enter / Shift+Enter for the next / previous match.
(function () {
  "use strict";
  const article = document.getElementById("document-text");
  const form = document.getElementById("viewer-search");
  if (!article || !form) return;
  const input = form.querySelector("input[name=q]");
  const counter = document.getElementById("search-count");
  let matches = [];
  let position = -1;

  const first = document.getElementById("hit");
  if (first) first.scrollIntoView({ block: "center" });

  // One character in, one character out, so offsets in the folded text are offsets in the real text.
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }
  function foldKeepingLength(text) {
    let out = "";
    for (const ch of text) out += fold(ch).charAt(0) || ch;
    return out;
  }

  function clear() {
    article.querySelectorAll("mark.search").forEach(function (mark) {
      mark.replaceWith(document.createTextNode(mark.textContent));
    });
    article.normalize();
    matches = [];
    position = -1;
  }

  function search(query) {
    clear();
    const needle = fold(query.trim());
    if (!needle) { counter.textContent = ""; return; }
    const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
    const nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    nodes.forEach(function (node) {
      const text = node.nodeValue;
      if ([...text].length !== text.length) return;   // astral characters: offsets would drift; not in plans
      const hay = foldKeepingLength(text);
      let from = 0, at;
      const parts = [];
      while ((at = hay.indexOf(needle, from)) !== -1) { parts.push([at, at + needle.length]); from = at + needle.length; }
      if (!parts.length) return;
      const fragment = document.createDocumentFragment();
      let last = 0;
      parts.forEach(function (part) {
        fragment.appendChild(document.createTextNode(text.slice(last, part[0])));
        const mark = document.createElement("mark");
        mark.className = "search";
        mark.textContent = text.slice(part[0], part[1]);
        fragment.appendChild(mark);
        matches.push(mark);
        last = part[1];
      });
      fragment.appendChild(document.createTextNode(text.slice(last)));
      node.replaceWith(fragment);
    });
    counter.textContent = matches.length ? matches.length + " kết quả" : "Không tìm thấy “" + query.trim() + "” trong toàn văn";
    if (matches.length) step(1);
  }

  function step(delta) {
    if (!matches.length) return;
    if (position >= 0) matches[position].classList.remove("current");
    position = (position + delta + matches.length) % matches.length;
    matches[position].classList.add("current");
    matches[position].scrollIntoView({ block: "center" });
    counter.textContent = (position + 1) + " / " + matches.length + " kết quả";
  }

  let timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { search(input.value); }, 150);
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); step(event.shiftKey ? -1 : 1); }
  });
  form.querySelectorAll("button[data-step]").forEach(function (button) {
    button.addEventListener("click", function () { step(parseInt(button.dataset.step, 10)); });
  });
  if (input.value) search(input.value);
})();

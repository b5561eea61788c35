// Triage of an analysis's flags, all in the page: instant filters and text search, groups with counts,
// sorting, selection and one decision for many, a focus mode (one flag at a time, on to the next after
// each decision), undo, a progress bar, a stable link per flag and each flag's decision history.
// Keys: j/k move, a accept, d dismiss (1-5 pick the reason), o reopen, u undo, x select, c comment
// (Ctrl+Enter saves, Esc leaves), f focus mode, / search, v open the full text at the evidence.
// Decisions go to PATCH /flags/{id} (or POST /flags/decisions) with the session's CSRF token and the
// version the page last saw: a 409 means someone else decided in between, and the page says so.
(function () {
  "use strict";
  const list = document.getElementById("flags");
  if (!list) return;
  const csrf = list.dataset.csrf;
  const canReview = list.dataset.canReview === "1";
  const total = parseInt(list.dataset.total || "0", 10);
  const flags = Array.from(list.querySelectorAll("li.flag"));
  const groupsBox = document.getElementById("flag-groups");
  const form = document.getElementById("filters");
  const STATUS_LABELS = { open: "Chưa xử lý", accepted: "Đã chấp nhận", dismissed: "Đã bác bỏ" };
  const SEVERITY_RANK = { high: 0, medium: 1, low: 2, info: 3 };
  const TYPE_LABELS = {};
  form.querySelectorAll("select[name=type] option").forEach(function (o) { if (o.value) TYPE_LABELS[o.value] = o.textContent; });
  let visible = flags.slice();       // in display order, in open groups: what j/k and focus mode walk
  let matching = flags.slice();      // every flag matching the filters, collapsed groups included
  let current = null;
  let focusMode = false;
  const undoStack = [];

  // ------------------------------------------------------------------ helpers
  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();
  }
  flags.forEach(function (li) { li.dataset.haystack = fold(li.querySelector(".message").textContent + " " +
    Array.from(li.querySelectorAll(".evidence-text, h4")).map(function (e) { return e.textContent; }).join(" ")); });

  function field(name) { const el = form.elements[name]; return el ? el.value : ""; }

  function scrollEvidence(li) {
    li.querySelectorAll(".evidence-text").forEach(function (box) {
      const mark = box.querySelector("mark");
      if (mark) box.scrollTop = Math.max(0, mark.offsetTop - 24);   // the box is positioned: offsets are inside it
    });
  }

  // ------------------------------------------------------------------ filter, sort, group
  function matches(li) {
    const type = field("type"), severity = field("severity"), status = field("status");
    const query = fold(field("q").trim());
    return (!type || li.dataset.type === type) && (!severity || li.dataset.severity === severity) &&
      (!status || li.dataset.status === status) && (!query || li.dataset.haystack.includes(query));
  }

  function compare(a, b) {
    const sort = field("sort");
    const conf = function (li) { return li.dataset.confidence === "" ? 1 : parseFloat(li.dataset.confidence); };
    const order = function (li) { return parseInt(li.dataset.order, 10); };
    if (sort === "confidence") return conf(b) - conf(a) || order(a) - order(b);
    if (sort === "severity") return SEVERITY_RANK[a.dataset.severity] - SEVERITY_RANK[b.dataset.severity] || conf(b) - conf(a) || order(a) - order(b);
    return order(a) - order(b);
  }

  function groupKey(li) {
    const by = field("group");
    if (by === "type") return [li.dataset.type, TYPE_LABELS[li.dataset.type] || li.dataset.type];
    if (by === "section") return [li.dataset.section || "~", li.dataset.section ? "Mục " + li.dataset.section : "Không gắn với mục nào"];
    if (by === "parent") return [li.dataset.parentGroup || "~", li.dataset.parentGroup || "Không có văn bản cấp trên"];
    return ["", ""];
  }

  const openGroups = {};
  function render() {
    const sorted = flags.slice().sort(compare);
    const groups = new Map();
    sorted.forEach(function (li) {
      const key = groupKey(li);
      if (!groups.has(key[0])) groups.set(key[0], { label: key[1], items: [] });
      groups.get(key[0]).items.push(li);
    });
    groupsBox.replaceChildren();
    visible = [];
    matching = [];
    Array.from(groups.entries()).sort(function (a, b) {
      return field("group") === "type" ? 0 : a[0].localeCompare(b[0], "vi", { numeric: true });
    }).forEach(function (entry) {
      const key = entry[0], group = entry[1];
      const shown = group.items.filter(matches);
      group.items.forEach(function (li) { li.hidden = !matches(li); });
      const ol = document.createElement("ol");
      ol.className = "flags";
      group.items.forEach(function (li) { ol.appendChild(li); });
      if (key === "" ) {
        groupsBox.appendChild(ol);
      } else {
        const details = document.createElement("details");
        details.className = "group";
        details.open = openGroups[key] !== false;
        details.hidden = shown.length === 0;
        details.addEventListener("toggle", function () {
          openGroups[key] = details.open;
          visible = matching.filter(function (li) { const group = li.closest("details.group"); return !group || group.open; });
        });
        const summary = document.createElement("summary");
        const open = shown.filter(function (li) { return li.dataset.status === "open"; }).length;
        summary.innerHTML = "";
        summary.append(group.label + " ");
        const count = document.createElement("span");
        count.className = "count muted";
        count.textContent = "(" + shown.length + (open !== shown.length ? ", " + open + " chưa xử lý" : "") + ")";
        summary.appendChild(count);
        details.append(summary, ol);
        groupsBox.appendChild(details);
      }
      shown.forEach(function (li) {
        matching.push(li);
        if (key === "" || openGroups[key] !== false) visible.push(li);
      });
    });
    document.getElementById("match-count").textContent = matching.length + " / " + total + " cờ";
    document.getElementById("no-match").hidden = matching.length > 0 || flags.length === 0;
    updateExportLinks();
    updateSelection();
    if (focusMode) showFocus();
  }

  // Export links carry the filters, so "Excel" downloads what the reviewer is looking at.
  function updateExportLinks() {
    const params = new URLSearchParams();
    ["type", "severity", "status"].forEach(function (name) { if (field(name)) params.set(name, field(name)); });
    ["csv", "xlsx"].forEach(function (fmt) {
      const link = document.getElementById("export-" + fmt);
      if (link) link.href = link.href.split("?")[0] + (params.toString() ? "?" + params : "");
    });
  }

  // ------------------------------------------------------------------ cursor and focus mode
  function select(li, scroll) {
    if (!li) return;
    if (current) current.classList.remove("current");
    current = li;
    li.classList.add("current");
    const group = li.closest("details.group");
    if (group && !group.open) group.open = true;
    scrollEvidence(li);
    if (scroll !== false) li.scrollIntoView({ block: focusMode ? "start" : "nearest" });
  }

  function move(delta) {
    if (!visible.length) return;
    const index = visible.indexOf(current);
    const next = index < 0 ? (delta > 0 ? 0 : visible.length - 1) : Math.max(0, Math.min(visible.length - 1, index + delta));
    select(visible[next]);
    if (focusMode) showFocus();
  }

  function nextUndecided(from) {
    const index = visible.indexOf(from);
    for (let i = 1; i <= visible.length; i++) {
      const li = visible[(index + i) % visible.length];
      if (li && li.dataset.status === "open" && li !== from) return li;
    }
    return null;
  }

  function showFocus() {
    document.body.classList.toggle("focus-mode", focusMode);
    flags.forEach(function (li) { li.classList.toggle("focused", li === current); });
    if (current) scrollEvidence(current);   // offsets are known only once the card is displayed
    if (focusMode && current) current.scrollIntoView({ block: "start" });
  }

  function toggleFocus() {
    focusMode = !focusMode;
    if (focusMode && (!current || current.hidden)) select(visible.find(function (li) { return li.dataset.status === "open"; }) || visible[0], false);
    showFocus();
    document.getElementById("focus-toggle").classList.toggle("active", focusMode);
  }

  // ------------------------------------------------------------------ decisions
  function apply(li, flag) {
    li.classList.remove("review-open", "review-accepted", "review-dismissed");
    li.classList.add("review-" + flag.status);
    li.dataset.status = flag.status;
    li.dataset.version = flag.version;
    li.dataset.reviewer = flag.reviewer || "";
    li.querySelector('[data-role="status"]').textContent = STATUS_LABELS[flag.status] || flag.status;
    li.querySelector('[data-role="reviewer"]').textContent = flag.reviewer || "";
    li.querySelector("select[name=reason]").value = flag.reason || "";
    const box = li.querySelector("textarea");
    if (document.activeElement !== box) box.value = flag.comment || "";
    const history = li.querySelector("details.history");
    if (history) { history.dataset.loaded = ""; if (history.open) loadHistory(li); }
    updateProgress();
  }

  function snapshot(li) {
    return { status: li.dataset.status, reason: li.querySelector("select[name=reason]").value || null,
             comment: li.querySelector("textarea").defaultValue };
  }

  function feedback(li, text, kind) {
    const el = li.querySelector('[data-role="feedback"]');
    el.classList.remove("failed", "conflict");
    if (kind) el.classList.add(kind);
    el.setAttribute("role", kind === "conflict" ? "alert" : "status");
    el.textContent = text;
  }

  async function request(method, url, body) {
    const response = await fetch(url, {
      method: method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify(body),
    });
    let data = {};
    try { data = await response.json(); } catch (e) { data = { message: response.statusText }; }
    return { ok: response.ok, status: response.status, data: data };
  }

  async function send(li, body) {
    feedback(li, "Đang lưu…");
    body.expected_version = parseInt(li.dataset.version || "0", 10);
    try {
      const result = await request("PATCH", "/flags/" + encodeURIComponent(li.dataset.flagId), body);
      if (result.status === 409 && result.data.error === "stale_decision") {
        apply(li, result.data.current);
        feedback(li, "⚠ " + result.data.message, "conflict");
        return null;
      }
      if (!result.ok) throw new Error(result.data.message || result.status);
      apply(li, result.data);
      li.querySelector("textarea").defaultValue = result.data.comment || "";
      feedback(li, "Đã lưu");
      return result.data;
    } catch (error) {
      feedback(li, "Không lưu được: " + error.message, "failed");
      return null;
    }
  }

  async function decide(li, action) {
    if (!canReview || !li) return;
    const before = snapshot(li);
    const comment = li.querySelector("textarea").value;
    const body = action === "comment" ? { comment: comment } : { status: action, comment: comment };
    if (action === "dismissed") body.reason = li.querySelector("select[name=reason]").value || null;
    const saved = await send(li, body);
    if (!saved || action === "comment") return;
    undoStack.push([{ li: li, before: before }]);
    document.getElementById("undo").disabled = false;
    if (!matches(li)) render();                       // e.g. decided under the "open" filter: it leaves the list
    if (li === current) {
      const next = nextUndecided(li);
      if (next) select(next);
      if (focusMode) showFocus();
    }
  }

  async function undo() {
    const batch = undoStack.pop();
    document.getElementById("undo").disabled = !undoStack.length;
    if (!batch) return;
    for (const entry of batch) {
      await send(entry.li, { status: entry.before.status, reason: entry.before.reason, comment: entry.before.comment || "" });
    }
    render();
    select(batch[0].li);
    if (focusMode) showFocus();
  }

  // ------------------------------------------------------------------ selection and decisions on many
  function selected() {
    return matching.filter(function (li) { const box = li.querySelector("input.select"); return box && box.checked; });
  }

  function updateSelection() {
    if (!canReview) return;
    const count = selected().length;
    document.getElementById("selected-count").textContent = count + " đã chọn";
    document.querySelectorAll("button[data-bulk]").forEach(function (b) { b.disabled = count === 0; });
    const all = document.getElementById("select-all");
    all.checked = count > 0 && count === matching.length;
    all.indeterminate = count > 0 && count < matching.length;
  }

  async function decideMany(status) {
    const chosen = selected();
    if (!chosen.length) return;
    const out = document.getElementById("bulk-feedback");
    const reason = document.getElementById("bulk-reason").value || null;
    const comment = document.getElementById("bulk-comment").value;
    if (status === "dismissed" && !reason) {
      out.className = "small failed";
      out.textContent = "Chọn lý do bác bỏ trước";
      return;
    }
    const versions = {};
    chosen.forEach(function (li) { versions[li.dataset.flagId] = parseInt(li.dataset.version || "0", 10); });
    const before = chosen.map(function (li) { return { li: li, before: snapshot(li) }; });
    out.className = "small";
    out.textContent = "Đang lưu " + chosen.length + " cờ…";
    const body = { ids: Object.keys(versions), status: status, reason: status === "dismissed" ? reason : null,
                   expected_versions: versions };
    if (comment) body.comment = comment;
    const result = await request("POST", "/flags/decisions", body);
    if (!result.ok) {
      out.className = "small failed";
      out.textContent = "Không lưu được: " + (result.data.message || result.status);
      return;
    }
    const byId = {};
    chosen.forEach(function (li) { byId[li.dataset.flagId] = li; });
    result.data.updated.forEach(function (flag) { const li = byId[flag.id]; if (li) { apply(li, flag); feedback(li, "Đã lưu"); } });
    result.data.conflicts.forEach(function (flag) {
      const li = byId[flag.id];
      if (li) { apply(li, flag); feedback(li, "⚠ " + (flag.reviewer || "Người khác") + " đã quyết định cờ này sau khi bạn mở trang; không đổi", "conflict"); }
    });
    const updatedIds = new Set(result.data.updated.map(function (f) { return f.id; }));
    undoStack.push(before.filter(function (entry) { return updatedIds.has(entry.li.dataset.flagId); }));
    document.getElementById("undo").disabled = false;
    chosen.forEach(function (li) { li.querySelector("input.select").checked = false; });
    out.className = "small" + (result.data.conflicts.length ? " conflict" : "");
    out.textContent = "Đã lưu " + result.data.updated.length + " cờ" +
      (result.data.conflicts.length ? "; " + result.data.conflicts.length + " cờ đã được người khác quyết định trước, không đổi" : "");
    render();
  }

  // ------------------------------------------------------------------ progress and history
  function updateProgress() {
    const decided = flags.filter(function (li) { return li.dataset.status !== "open"; });
    const bar = document.getElementById("progress");
    const denominator = Math.max(total, flags.length);
    if (bar) { bar.max = denominator || 1; bar.value = decided.length; }
    const text = document.getElementById("progress-text");
    if (text) text.textContent = decided.length + " / " + denominator + " đã quyết định";
    const by = {};
    decided.forEach(function (li) { const who = li.dataset.reviewer || "?"; by[who] = (by[who] || 0) + 1; });
    const byText = document.getElementById("progress-by");
    if (byText) byText.textContent = Object.keys(by).sort().map(function (who) { return who + ": " + by[who]; }).join(" · ");
  }

  const REASONS = {};
  document.querySelectorAll("#bulk-reason option, li.flag select[name=reason]:first-of-type option").forEach(function (o) {
    if (o.value && !REASONS[o.value]) REASONS[o.value] = o.textContent.replace(/^\d+\.\s*/, "");
  });

  async function loadHistory(li) {
    const box = li.querySelector("details.history");
    const out = box.querySelector('[data-role="history"]');
    box.dataset.loaded = "1";
    const response = await fetch("/flags/" + encodeURIComponent(li.dataset.flagId) + "/history", { credentials: "same-origin" });
    const events = response.ok ? await response.json() : [];
    out.replaceChildren();
    if (!events.length) { const item = document.createElement("li"); item.textContent = "Chưa có quyết định nào."; out.appendChild(item); }
    events.forEach(function (e) {
      const item = document.createElement("li");
      const when = new Date(e.at).toLocaleString("vi-VN");
      item.textContent = when + " · " + e.reviewer + ": " + (STATUS_LABELS[e.from_status] || e.from_status) + " → " +
        (STATUS_LABELS[e.to_status] || e.to_status) + (e.reason ? " (" + (REASONS[e.reason] || e.reason) + ")" : "") +
        (e.comment ? " — “" + e.comment + "”" : "");
      out.appendChild(item);
    });
  }

  // ------------------------------------------------------------------ wiring
  flags.forEach(function (li) {
    li.addEventListener("click", function (event) {
      if (current !== li) select(li, false);
      const button = event.target.closest("button[data-action]");
      if (button) decide(li, button.dataset.action);
      if (event.target.matches("input.select")) updateSelection();
    });
    const history = li.querySelector("details.history");
    if (history) history.addEventListener("toggle", function () { if (history.open && !history.dataset.loaded) loadHistory(li); });
  });
  ["type", "severity", "status", "group", "sort"].forEach(function (name) {
    if (form.elements[name]) form.elements[name].addEventListener("change", render);
  });
  let typingTimer = null;   // search as one types, without re-grouping hundreds of cards on every key
  form.elements.q.addEventListener("input", function () { clearTimeout(typingTimer); typingTimer = setTimeout(render, 120); });
  document.getElementById("focus-toggle").addEventListener("click", toggleFocus);
  if (canReview) {
    document.getElementById("select-all").addEventListener("change", function (event) {
      matching.forEach(function (li) { li.querySelector("input.select").checked = event.target.checked; });
      updateSelection();
    });
    document.querySelectorAll("button[data-bulk]").forEach(function (button) {
      button.addEventListener("click", function () { decideMany(button.dataset.bulk); });
    });
    document.getElementById("undo").addEventListener("click", undo);
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) {
      if (event.target.tagName === "TEXTAREA" && event.key === "Enter" && current) {
        event.preventDefault();
        decide(current, "comment");
      }
      return;
    }
    const typing = ["TEXTAREA", "INPUT", "SELECT"].includes(event.target.tagName) && event.target.type !== "checkbox";
    if (typing) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "a": decide(current, "accepted"); break;
      case "d": decide(current, "dismissed"); break;
      case "o": decide(current, "open"); break;
      case "u": if (canReview) undo(); break;
      case "f": toggleFocus(); break;
      case "x": if (current && canReview) { const box = current.querySelector("input.select"); box.checked = !box.checked; updateSelection(); } break;
      case "/": event.preventDefault(); form.elements.q.focus(); break;
      case "v": if (current) { const link = current.querySelector("a.viewer-link"); if (link) location.href = link.href; } break;
      case "c": if (current && canReview) { event.preventDefault(); current.querySelector("textarea").focus(); } break;
      case "1": case "2": case "3": case "4": case "5":
        if (current && canReview) { const reason = current.querySelector("select[name=reason]"); reason.selectedIndex = parseInt(event.key, 10); }
        break;
      case "Escape": if (focusMode) toggleFocus(); break;
      default: return;
    }
  });

  render();
  updateProgress();
  flags.forEach(scrollEvidence);   // each evidence box opens on its highlighted span, not on the context before it
  const target = location.hash && document.getElementById(location.hash.slice(1));
  if (target && target.classList.contains("flag")) {
    if (target.hidden) { ["type", "severity", "status"].forEach(function (n) { form.elements[n].value = ""; }); form.elements.q.value = ""; render(); }
    select(target);
  }
})();

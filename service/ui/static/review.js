// Fast triage of flags: j/k move, a accept, d dismiss, o reopen, c comment (Ctrl+Enter saves, Esc leaves).
// Decisions are sent to PATCH /flags/{id} with the session's CSRF token.
(function () {
  "use strict";
  const list = document.getElementById("flags");
  if (!list) return;
  const csrf = list.dataset.csrf;
  const canReview = list.dataset.canReview === "1";
  const flags = Array.from(list.querySelectorAll("li.flag"));
  const STATUS_LABELS = { open: "Chưa xử lý", accepted: "Đã chấp nhận", dismissed: "Đã bỏ qua" };
  let current = -1;

  // Each evidence box opens on its highlighted span, not on the context before it.
  list.querySelectorAll(".evidence-text").forEach(function (box) {
    const mark = box.querySelector("mark");
    if (mark) box.scrollTop = Math.max(0, mark.offsetTop - 24);   // the box is positioned: offsets are inside it
  });

  function select(index) {
    if (!flags.length) return;
    index = Math.max(0, Math.min(flags.length - 1, index));
    if (current >= 0) flags[current].classList.remove("current");
    current = index;
    flags[current].classList.add("current");
    flags[current].scrollIntoView({ block: "nearest", behavior: "smooth" });
  }

  async function send(flag, body) {
    const feedback = flag.querySelector('[data-role="feedback"]');
    feedback.classList.remove("failed");
    feedback.textContent = "Đang lưu…";
    try {
      const response = await fetch("/flags/" + encodeURIComponent(flag.dataset.flagId), {
        method: "PATCH",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify(body),
      });
      const data = await response.json();
      if (!response.ok) throw new Error(data.message || response.statusText);
      flag.classList.remove("review-open", "review-accepted", "review-dismissed");
      flag.classList.add("review-" + data.status);
      flag.querySelector('[data-role="status"]').textContent = STATUS_LABELS[data.status] || data.status;
      flag.querySelector('[data-role="reviewer"]').textContent = data.reviewer || "";
      feedback.textContent = "Đã lưu";
      return true;
    } catch (error) {
      feedback.classList.add("failed");
      feedback.textContent = "Không lưu được: " + error.message;
      return false;
    }
  }

  function decide(flag, action) {
    if (!canReview) return;
    const comment = flag.querySelector("textarea").value;
    const body = action === "comment" ? { comment: comment } : { status: action, comment: comment };
    send(flag, body);
  }

  flags.forEach(function (flag, index) {
    flag.addEventListener("click", function (event) {
      if (current !== index) select(index);
      const button = event.target.closest("button[data-action]");
      if (button) decide(flag, button.dataset.action);
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) {
      if (event.target.tagName === "TEXTAREA" && event.key === "Enter" && current >= 0) {
        event.preventDefault();
        decide(flags[current], "comment");
      }
      return;
    }
    const typing = ["TEXTAREA", "INPUT", "SELECT"].includes(event.target.tagName);
    if (typing) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    const flag = flags[current];
    switch (event.key) {
      case "j": select(current + 1); break;
      case "k": select(current - 1); break;
      case "a": if (flag) decide(flag, "accepted"); break;
      case "d": if (flag) decide(flag, "dismissed"); break;
      case "o": if (flag) decide(flag, "open"); break;
      case "c": if (flag && canReview) { event.preventDefault(); flag.querySelector("textarea").focus(); } break;
      default: return;
    }
  });
})();

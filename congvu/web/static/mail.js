/* CôngVụ webmail: small enhancements over pages that work without script.
   - "select all" for the message list, sort menus that apply at once;
   - recipient suggestions from the directory while typing (/thu/goi-y);
   - periodic draft saving on the compose page, and a size check before files are uploaded. */
(function () {
  "use strict";

  document.querySelectorAll("[data-select-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      var form = box.form;
      form.querySelectorAll('input[type=checkbox][name="' + box.dataset.selectAll + '"]').forEach(function (b) {
        b.checked = box.checked;
      });
    });
  });
  document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { (el.form || document.getElementById(el.getAttribute("form"))).submit(); });
  });

  /* ---- recipient suggestions ---- */
  function currentToken(value) {
    var at = Math.max(value.lastIndexOf(","), value.lastIndexOf(";"));
    return { head: value.slice(0, at + 1), token: value.slice(at + 1).trim() };
  }
  function entry(item) {
    var name = item.name || "";
    if (/[,;"<>]/.test(name)) { name = '"' + name.replace(/"/g, "") + '"'; }
    return name ? name + " <" + item.address + ">" : item.address;
  }
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var list = document.createElement("ul");
    list.className = "suggest";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.parentNode.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    var timer = null, items = [], active = -1, asked = "";

    function close() { list.hidden = true; active = -1; input.setAttribute("aria-expanded", "false"); }
    function choose(i) {
      var parts = currentToken(input.value);
      input.value = (parts.head ? parts.head.replace(/\s*$/, " ") : "") + entry(items[i]) + ", ";
      close();
      input.focus();
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }
    function highlight(i) {
      active = i;
      Array.prototype.forEach.call(list.children, function (li, n) { li.setAttribute("aria-selected", n === i ? "true" : "false"); });
    }
    function render() {
      list.textContent = "";
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        var name = document.createElement("strong");
        name.textContent = item.name || item.address;
        var addr = document.createElement("span");
        addr.className = "addr";
        addr.textContent = item.address;
        li.appendChild(name);
        li.appendChild(addr);
        var extra = item.detail;
        if (extra) {
          var small = document.createElement("small");
          small.textContent = extra;
          li.appendChild(small);
        }
        li.className = "kind-" + item.kind;
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
      active = -1;
    }
    input.addEventListener("input", function () {
      var token = currentToken(input.value).token;
      clearTimeout(timer);
      if (token.length < 2 || token.indexOf("<") >= 0) { close(); return; }
      timer = setTimeout(function () {
        asked = token;
        fetch(input.dataset.suggest + "?q=" + encodeURIComponent(token), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { items: [] }; })
          .then(function (data) { if (asked === token) { items = data.items || []; render(); } })
          .catch(function () { close(); });
      }, 180);
    });
    input.addEventListener("keydown", function (ev) {
      if (list.hidden) { return; }
      if (ev.key === "ArrowDown") { ev.preventDefault(); highlight(Math.min(items.length - 1, active + 1)); }
      else if (ev.key === "ArrowUp") { ev.preventDefault(); highlight(Math.max(0, active - 1)); }
      else if (ev.key === "Enter" && active >= 0) { ev.preventDefault(); choose(active); }
      else if (ev.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  });

  /* ---- compose: size check and autosave ---- */
  var form = document.getElementById("compose");
  if (!form) { return; }
  var limit = parseInt(form.dataset.limit || "0", 10);
  var sizeError = form.querySelector("[data-size-error]");
  var files = form.querySelector("input[type=file]");
  function tooLarge() {
    var total = 0;
    Array.prototype.forEach.call(files ? files.files : [], function (f) { total += f.size; });
    return limit && total > limit;
  }
  if (files) {
    files.addEventListener("change", function () {
      sizeError.hidden = !tooLarge();
      sizeError.textContent = form.dataset.tooLarge;
    });
  }
  var dirty = false, saving = null, submitting = false;
  var status = form.querySelector("[data-autosave-status]");
  form.addEventListener("input", function (ev) { if (ev.target.type !== "file") { dirty = true; } });
  function autosave() {
    if (!dirty || saving || submitting) { return saving; }
    dirty = false;
    var data = new FormData(form);
    data.delete("files");
    data.set("intent", "save");
    saving = fetch(form.dataset.autosave, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        if (!res.ok) { status.textContent = res.body.error || ""; return; }
        form.querySelector("input[name=draft_uid]").value = res.body.draft_uid;
        var kept = form.querySelector("[data-kept]");
        kept.querySelectorAll("input[name=keep]").forEach(function (box) { if (!box.checked) { box.closest("li").remove(); } });
        var remaining = kept.querySelectorAll("input[name=keep]");
        res.body.keep.forEach(function (k, i) { if (remaining[i]) { remaining[i].value = k.ref; } });
        status.textContent = form.dataset.saved + " " + res.body.saved_at;
      })
      .catch(function () { dirty = true; })
      .finally(function () { saving = null; });
    return saving;
  }
  form.addEventListener("submit", function (ev) {
    if (tooLarge()) { ev.preventDefault(); sizeError.hidden = false; sizeError.textContent = form.dataset.tooLarge; return; }
    if (saving) {
      /* A save in flight would leave a second copy in Drafts: let it finish, then submit with its draft number. */
      ev.preventDefault();
      var submitter = ev.submitter;
      saving.then(function () { submitting = true; form.requestSubmit(submitter); });
      return;
    }
    submitting = true;
  });
  /* Save when a field is left after a change, when the page is hidden, and every 20 seconds. */
  form.addEventListener("change", function (ev) { if (ev.target.type !== "file" && ev.target.type !== "checkbox") { autosave(); } });
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") { autosave(); } });
  setInterval(autosave, 20000);
})();

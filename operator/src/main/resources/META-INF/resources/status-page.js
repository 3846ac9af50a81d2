// The status page: reads /api/v1/healthchecks one page at a time and polls it, so it shows changes without a
// reload. Polling rather than a server push: each poll is one authorized, paged, cacheable request that works the
// same through kubectl port-forward and any Ingress, and the server holds no connection per viewer.
// Everything from the API is put into the page as text (textContent), never as markup.
"use strict";

(function () {
  const POLL_INTERVAL_MS = 5000;
  const REQUEST_TIMEOUT_MS = 10000;
  const TOKEN_KEY = "healthcheck-operator.token";

  const el = (id) => document.getElementById(id);
  const namespaceFilter = el("namespace-filter");
  const healthFilter = el("health-filter");
  const pageSize = el("page-size");
  const tokenField = el("token");
  const statusLine = el("status-line");

  // The continue token that starts each page seen so far; pages[0] is the first page (no token).
  let pages = [null];
  let current = 0;
  let lastAnswer = null;
  let timer = null;
  let inFlight = null;

  function token() {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  function query() {
    const params = new URLSearchParams();
    params.set("limit", pageSize.value);
    if (namespaceFilter.value) params.set("namespace", namespaceFilter.value);
    if (healthFilter.value) params.set("health", healthFilter.value);
    if (pages[current]) params.set("continue", pages[current]);
    return params;
  }

  async function refresh() {
    clearTimeout(timer);
    if (inFlight) inFlight.abort();
    const controller = new AbortController();
    inFlight = controller;
    const deadline = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    const headers = { Accept: "application/json" };
    if (token()) headers.Authorization = "Bearer " + token();
    try {
      const response = await fetch("api/v1/healthchecks?" + query(), { headers, signal: controller.signal });
      const body = await response.json().catch(() => ({ error: "an answer that is not JSON" }));
      if (!response.ok) {
        showError(response.status, body);
      } else if (body.items.length === 0 && current > 0) {
        // The page emptied (deleted HealthChecks): start again from the first.
        pages = [null];
        current = 0;
        return refresh();
      } else {
        render(body);
      }
    } catch (e) {
      if (controller.signal.aborted && inFlight !== controller) return;
      setStatus("No answer from the operator (" + e.message + "); retrying", true);
    } finally {
      clearTimeout(deadline);
      if (inFlight === controller) {
        inFlight = null;
        schedule();
      }
    }
  }

  function schedule() {
    clearTimeout(timer);
    if (!document.hidden) timer = setTimeout(refresh, POLL_INTERVAL_MS);
  }

  function showError(status, body) {
    const message = body && body.error ? body.error : "HTTP " + status;
    if (status === 401) {
      setStatus("Sign in with a Kubernetes bearer token: " + message, true);
      el("rows").replaceChildren();
      el("summary").replaceChildren();
    } else {
      // The last good page stays, marked as not current.
      setStatus("Not updated: " + message, true);
    }
  }

  function setStatus(text, isError) {
    statusLine.textContent = text;
    statusLine.classList.toggle("error", Boolean(isError));
  }

  function render(answer) {
    lastAnswer = answer;
    renderNamespaces(answer.namespaces);
    const rows = answer.items.map(row);
    el("rows").replaceChildren(...rows);
    el("summary").replaceChildren(
      text("span", answer.total + " HealthCheck" + (answer.total === 1 ? "" : "s") + " match"));
    const first = answer.items.length ? rangeStart() + 1 : 0;
    el("range").textContent = answer.items.length
      ? first + "\u2013" + (first + answer.items.length - 1) + " of " + answer.total : "none";
    el("previous").disabled = current === 0;
    el("next").disabled = !answer.continue;
    setStatus("Updated " + new Date().toLocaleTimeString() + "; refreshes every " + POLL_INTERVAL_MS / 1000 + " s");
  }

  function rangeStart() {
    return current * Number(pageSize.value);
  }

  function renderNamespaces(namespaces) {
    const chosen = namespaceFilter.value;
    const options = [option("", "all namespaces")].concat(namespaces.map((ns) => option(ns, ns)));
    if (chosen && !namespaces.includes(chosen)) options.push(option(chosen, chosen));
    namespaceFilter.replaceChildren(...options);
    namespaceFilter.value = chosen;
  }

  function option(value, label) {
    const o = document.createElement("option");
    o.value = value;
    o.textContent = label;
    return o;
  }

  function row(item) {
    const tr = document.createElement("tr");
    tr.dataset.key = item.namespace + "/" + item.name;
    tr.append(cell(item.namespace, "namespace"), cell(item.name, "name"));
    const health = cell(item.health, "health health-" + item.health);
    health.title = [item.healthReason, item.healthMessage].filter(Boolean).join(": ");
    tr.append(health);
    const ready = cell(item.ready === true ? "Ready" : item.ready === false ? "Not ready" : "Unknown", "ready");
    ready.title = [item.readyReason, item.readyMessage].filter(Boolean).join(": ");
    tr.append(ready);
    const checks = document.createElement("ul");
    checks.className = "checks";
    item.checks.forEach((check) => checks.append(checkItem(check)));
    const checksCell = document.createElement("td");
    checksCell.append(checks);
    tr.append(checksCell, cell(when(item.healthTransitionTime), "time"));
    return tr;
  }

  function checkItem(check) {
    const li = document.createElement("li");
    li.dataset.check = check.name;
    li.append(text("span", check.name, "check-name"), document.createTextNode(" "),
      text("span", check.status, "check-status check-" + check.status));
    if (check.critical) li.append(document.createTextNode(" "), text("span", "critical", "critical"));
    if (check.kind) li.append(document.createTextNode(" "), text("span", check.kind + " " + (check.target || ""), "check-target"));
    if (check.reason || check.message) {
      li.append(text("div", [check.reason, check.message].filter(Boolean).join(": "), "message"));
    }
    if (check.lastTransitionTime) li.append(text("div", "since " + when(check.lastTransitionTime), "time"));
    return li;
  }

  function when(time) {
    if (!time) return "";
    const date = new Date(time);
    return isNaN(date) ? time : date.toLocaleString();
  }

  function cell(value, className) {
    return text("td", value, className);
  }

  function text(tag, value, className) {
    const node = document.createElement(tag);
    node.textContent = value == null ? "" : String(value);
    if (className) node.className = className;
    return node;
  }

  function restart() {
    pages = [null];
    current = 0;
    refresh();
  }

  namespaceFilter.addEventListener("change", restart);
  healthFilter.addEventListener("change", restart);
  pageSize.addEventListener("change", restart);
  el("next").addEventListener("click", () => {
    if (!lastAnswer || !lastAnswer.continue) return;
    pages = pages.slice(0, current + 1);
    pages.push(lastAnswer.continue);
    current += 1;
    refresh();
  });
  el("previous").addEventListener("click", () => {
    if (current === 0) return;
    current -= 1;
    refresh();
  });
  el("controls").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = tokenField.value.trim();
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    tokenField.value = "";
    restart();
  });
  el("token-forget").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    restart();
  });
  document.addEventListener("visibilitychange", () => { if (!document.hidden) refresh(); });

  refresh();
})();

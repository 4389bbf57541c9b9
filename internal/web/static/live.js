// Live updates: listen to the platform's event stream and show what changed.
// The session cookie authenticates the WebSocket; on reconnect the stream resumes
// after the last event seen, so none is missed.
(function () {
  "use strict";
  var lastID = null;
  var delay = 1000;
  var names = {
    "ivr.submitted": "submitted", "ivr.assigned": "in review", "ivr.needs_info": "waiting for information",
    "ivr.responded": "answered", "ivr.approved": "approved", "ivr.denied": "denied",
    "ivr.expiring": "expiring soon", "ivr.expired": "expired", "order.placed": "placed",
    "order.shipped": "shipped", "order.delivered": "delivered", "order.overdue": "overdue",
    "order.issue": "reported with an issue"
  };

  function label(status) {
    var s = String(status || "").replace(/_/g, " ");
    return s.charAt(0).toUpperCase() + s.slice(1);
  }

  function notice(text) {
    var box = document.getElementById("live-notice");
    if (!box) { return; }
    box.textContent = text + " ";
    var a = document.createElement("a");
    a.href = window.location.pathname + window.location.search;
    a.textContent = "refresh";
    box.appendChild(a);
    box.hidden = false;
  }

  function apply(ev) {
    if (!ev || !ev.resource || !names[ev.type]) { return; }
    var data = ev.data || {};
    var ref = data.reference || (ev.resource.type === "ivr" ? "An IVR" : "An order");
    notice(ref + " is now " + names[ev.type] + " —");
    if (!data.status) { return; }
    var rows = document.querySelectorAll("[data-id]");
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].getAttribute("data-id") !== ev.resource.id) { continue; }
      var cells = rows[i].querySelectorAll(".status");
      for (var j = 0; j < cells.length; j++) {
        cells[j].textContent = label(data.status);
        cells[j].setAttribute("data-status", data.status);
        cells[j].classList.add("changed");
      }
    }
  }

  function connect() {
    var proto = window.location.protocol === "https:" ? "wss://" : "ws://";
    var url = proto + window.location.host + "/api/v1/events";
    if (lastID !== null) { url += "?after=" + encodeURIComponent(lastID); }
    var ws;
    try { ws = new WebSocket(url); } catch (e) { retry(); return; }
    ws.onopen = function () { delay = 1000; document.body.setAttribute("data-live", "open"); };
    ws.onmessage = function (m) {
      var ev;
      try { ev = JSON.parse(m.data); } catch (e) { return; }
      if (typeof ev.id === "number") { lastID = ev.id; }
      apply(ev);
    };
    ws.onclose = function () { document.body.setAttribute("data-live", "closed"); retry(); };
  }

  function retry() {
    window.setTimeout(connect, delay);
    delay = Math.min(delay * 2, 30000);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", connect);
  } else {
    connect();
  }
})();

// Two minutes before an idle session ends, the Admin Center asks "Vous êtes toujours là ?" with
// "Rester connecté". The server ends a session after LCADMIN_SESSION_IDLE_MINUTES without
// activity; the page keeps the same count: it tells the server of the person's activity (a click
// on the hidden #keep-alive button, at most once a minute, which records it), and once the time
// is up it goes to the sign-in page, which brings the person back here afterwards.
(function () {
  "use strict";
  var TOUCH_EVERY = 60 * 1000, WARN_BEFORE = 2 * 60 * 1000;
  var lastTouch = Date.now();

  function dialog() { return document.getElementById("idle-warning"); }

  var before = null;  // what had focus when the warning took it

  function hide() {
    var box = dialog();
    if (!box || !box.hasAttribute("data-open")) return;
    box.removeAttribute("data-open");
    if (before && document.contains(before)) before.focus();
    before = null;
  }

  function touch() {
    var button = document.getElementById("keep-alive");
    if (button) button.click();
    lastTouch = Date.now();
    hide();
  }

  document.addEventListener("pointerdown", function (event) {
    var box = dialog();
    if (box && box.contains(event.target)) return;  // the dialog's own buttons do their work
    if (Date.now() - lastTouch > TOUCH_EVERY) touch();
  }, true);
  document.addEventListener("keydown", function (event) {
    var box = dialog();
    if (!box || box.contains(event.target)) return;
    if (Date.now() - lastTouch > TOUCH_EVERY || box.hasAttribute("data-open")) touch();  // typing is activity
  }, true);
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-idle-action]") : null;
    if (!target) return;
    if (target.getAttribute("data-idle-action") === "stay") { lastTouch = Date.now(); hide(); }
  }, true);

  // A new page of the Admin Center was loaded: its load was activity.
  var seen = null;
  setInterval(function () {
    var box = dialog();
    if (!box) { seen = null; return; }
    // A new page of the Admin Center: its load told the server, which records activity at most
    // once a minute; count it the same way.
    if (seen !== location.pathname) {
      seen = location.pathname;
      if (Date.now() - lastTouch > TOUCH_EVERY) { lastTouch = Date.now(); hide(); }
    }
    var idle = Number(box.getAttribute("data-idle-minutes") || "30") * 60 * 1000;
    var elapsed = Date.now() - lastTouch;
    if (elapsed >= idle) {
      hide();
      location.assign("/sign-in?next=" + encodeURIComponent(location.pathname + location.search).replace(/%2F/g, "/"));
    } else if (elapsed >= idle - WARN_BEFORE && !box.hasAttribute("data-open")) {
      before = document.activeElement;
      box.setAttribute("data-open", "");
      var stay = box.querySelector('[data-idle-action="stay"]');
      if (stay) stay.focus();
    }
  }, 1000);
})();

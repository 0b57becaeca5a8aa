// Where keyboard and screen-reader focus goes when the page changes under it:
// - after a route change, to the new page's h1 (or to the field the page focuses itself);
// - after a step replaces the content (the button pressed is gone, focus fell to <body>), to the
//   new step's h1;
// - when a dialog closes, back to the control that had focus before it opened.
(function () {
  "use strict";
  var lastOutside = null, dialogOpen = false, path = location.pathname;

  function heading() {
    var h1 = document.querySelector("main h1");
    if (h1 && !h1.hasAttribute("tabindex")) h1.setAttribute("tabindex", "-1");
    return h1;
  }

  function focusHeading() {
    if (document.querySelector('[role="menu"], [role="dialog"], [role="alertdialog"][data-open]')) return true;  // in use
    var active = document.activeElement;
    if (active && active.closest("main") && active.matches("input, select, textarea, [contenteditable]")) {
      return true;  // someone is already typing in the page (or the page chose its field)
    }
    var h1 = heading();
    if (h1) h1.focus({ preventScroll: false });
    return !!h1;
  }

  // A route change: the new page's h1, as soon as it is there (a page may show it once its data
  // is loaded), for up to 3 seconds.
  function focusHeadingSoon() {
    var tries = 0;
    (function attempt() {
      if (!focusHeading() && ++tries < 30) setTimeout(attempt, 100);
    })();
  }

  var lastFocused = null;
  document.addEventListener("focusin", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    lastFocused = target;
    if (!target.closest('[role="dialog"], [role="alertdialog"], [role="menu"]')) lastOutside = target;
  });

  var seenHeading = null;
  new MutationObserver(function () {
    var open = !!document.querySelector('[role="dialog"]');
    if (dialogOpen && !open && lastOutside && document.contains(lastOutside)) lastOutside.focus();
    dialogOpen = open;
    if (location.pathname !== path) {  // a route change: wait for the new page's heading
      path = location.pathname;
      setTimeout(focusHeadingSoon, 150);
      seenHeading = null;
      return;
    }
    // A button that disabled itself while working (or a box that closed) dropped focus to
    // <body>: give it back once that control can take it again.
    if ((!document.activeElement || document.activeElement === document.body) && lastFocused &&
        document.contains(lastFocused) && !lastFocused.disabled && lastFocused.offsetParent !== null) {
      lastFocused.focus();
    }
    var h1 = document.querySelector("main h1");
    if (h1 && h1 !== seenHeading) {
      var lost = !document.activeElement || document.activeElement === document.body;
      if (seenHeading && lost) focusHeading();  // a new step of the same page (its button is gone)
      seenHeading = h1;
    }
  }).observe(document.documentElement, { childList: true, subtree: true });
})();

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
    if (document.querySelector('[role="menu"], [role="dialog"], [role="alertdialog"][data-open]')) return;  // in use
    if (document.querySelector("main [autofocus]") && document.activeElement &&
        document.activeElement.matches("input, textarea")) return;  // the page chose its field
    var h1 = heading();
    if (h1) h1.focus({ preventScroll: false });
  }

  document.addEventListener("focusin", function (event) {
    var target = event.target;
    if (target instanceof Element && !target.closest('[role="dialog"], [role="alertdialog"], [role="menu"]')) {
      lastOutside = target;
    }
  });

  var seenHeading = null;
  new MutationObserver(function () {
    var open = !!document.querySelector('[role="dialog"]');
    if (dialogOpen && !open && lastOutside && document.contains(lastOutside)) lastOutside.focus();
    dialogOpen = open;
    if (location.pathname !== path) {  // a route change: wait for the new page's heading
      path = location.pathname;
      setTimeout(focusHeading, 150);
      seenHeading = null;
      return;
    }
    var h1 = document.querySelector("main h1");
    if (h1 && h1 !== seenHeading) {
      var lost = !document.activeElement || document.activeElement === document.body;
      if (seenHeading && lost) focusHeading();  // a new step of the same page
      seenHeading = h1;
    }
  }).observe(document.documentElement, { childList: true, subtree: true });
})();

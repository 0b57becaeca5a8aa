// The card fields of a payment form, formatted and checked in the browser as the person types:
// digits grouped by the card's brand (shown next to the number), the expiry as "MM / YY" from
// digits alone (a phone's numeric keypad has no "/"), the CVC's length by brand, the Luhn key,
// an expiry in the past. Nothing here reaches the server until "Payer"; the fields are
// uncontrolled and no state var ever holds them. The server checks the same rules again
// (lcadmin/domain/cards.py). The form carries the translated messages in data-msg-* attributes.
// An IBAN field (data-card="iban") is grouped by four in capitals and checked the same way: its
// country's length and its ISO 13616 check digits; the server (schwifty) checks again, national
// keys and the BIC included (lcadmin/domain/sepa.py).
(function () {
  "use strict";
  var BRAND_NAMES = { visa: "Visa", mastercard: "Mastercard", amex: "American Express" };
  var IBAN_LENGTHS = { AD: 24, AT: 20, BE: 16, BG: 22, CH: 21, CY: 28, CZ: 24, DE: 22, DK: 18, EE: 20, ES: 24,
    FI: 18, FR: 27, GB: 22, GI: 23, GR: 27, HR: 21, HU: 28, IE: 22, IS: 26, IT: 27, LI: 21, LT: 20, LU: 20, LV: 21,
    MC: 27, MT: 31, NL: 18, NO: 15, PL: 28, PT: 25, RO: 24, SE: 24, SI: 19, SK: 24, SM: 27, VA: 22 };

  function ibanOf(text) { return (text || "").toUpperCase().replace(/[^0-9A-Z]/g, ""); }

  function ibanChecksumOk(iban) {
    var moved = iban.slice(4) + iban.slice(0, 4), rest = 0;
    for (var i = 0; i < moved.length; i++) {
      var code = moved.charCodeAt(i), part = code >= 65 ? String(code - 55) : moved[i];
      for (var j = 0; j < part.length; j++) rest = (rest * 10 + +part[j]) % 97;
    }
    return rest === 1;
  }

  function ibanProblem(input, final, message) {
    var iban = ibanOf(input.value), length = IBAN_LENGTHS[iban.slice(0, 2)];
    if (!iban.length) return final ? message("IbanFormat") : "";
    if (iban.length >= 2 && !/^[A-Z]{2}/.test(iban)) return message("IbanFormat");
    if (iban.length >= 2 && !length) return message("IbanFormat");
    if (iban.length < length) return final ? message("IbanFormat") : "";
    if (iban.length > length || !/^[A-Z]{2}[0-9]{2}/.test(iban)) return message("IbanFormat");
    return ibanChecksumOk(iban) ? "" : message("Iban");
  }

  function digitsOf(text) { return (text || "").replace(/[^0-9]/g, ""); }

  function brandOf(digits) {
    if (/^4/.test(digits)) return "visa";
    var two = +digits.slice(0, 2), four = +digits.slice(0, 4);
    if ((two >= 51 && two <= 55) || (digits.length >= 4 && four >= 2221 && four <= 2720)) return "mastercard";
    if (two === 34 || two === 37) return "amex";
    return "card";
  }

  function luhnOk(digits) {
    var sum = 0, double = false;
    for (var i = digits.length - 1; i >= 0; i--) {
      var n = +digits[i];
      if (double) { n *= 2; if (n > 9) n -= 9; }
      sum += n; double = !double;
    }
    return sum % 10 === 0;
  }

  function maxDigits(brand) { return brand === "amex" ? 15 : 19; }
  function cvcLength(brand) { return brand === "amex" ? 4 : 3; }

  function grouped(digits, brand) {
    if (brand === "amex") return [digits.slice(0, 4), digits.slice(4, 10), digits.slice(10, 15)].filter(Boolean).join(" ");
    return (digits.match(/.{1,4}/g) || []).join(" ");
  }

  function expiryText(digits, deleting) {
    if (digits.length === 1 && +digits > 1) digits = "0" + digits;  // "4" can only be April
    if (digits.length < 2 || (digits.length === 2 && deleting)) return digits;
    return digits.slice(0, 2) + " / " + digits.slice(2, 4);
  }

  function formOf(input) { return input.closest("form"); }
  function field(form, kind) { return form.querySelector('[data-card="' + kind + '"]'); }
  function formBrand(form) { var n = field(form, "number"); return brandOf(digitsOf(n ? n.value : "")); }

  // Keep the caret after the same number of digits once the value is reformatted (``added``:
  // digits the formatting put before the caret, as the 0 of "04").
  function setFormatted(input, text, added) {
    var caret = input.selectionStart == null ? input.value.length : input.selectionStart;
    var before = digitsOf(input.value.slice(0, caret)).length + (added || 0);
    input.value = text;
    var position = 0, seen = 0;
    while (position < text.length && seen < before) { if (/[0-9]/.test(text[position])) seen++; position++; }
    if (document.activeElement === input) input.setSelectionRange(position, position);
  }

  // The message for a field, or "" when it is fine. ``final``: the person left the field or pays,
  // so an incomplete value counts as wrong too.
  function problem(input, final) {
    var form = formOf(input), kind = input.dataset.card, digits = digitsOf(input.value), brand = formBrand(form);
    var message = function (name) { return form.dataset["msg" + name] || ""; };
    if (kind === "iban") return ibanProblem(input, final, message);
    if (kind === "number") {
      var complete = digits.length >= (brand === "amex" ? 15 : 16);
      if (!digits.length) return final ? message("Number") : "";
      if ((complete || final) && (digits.length < 12 || !luhnOk(digits))) return message("Number");
      return "";
    }
    if (kind === "expiry") {
      if (digits.length < 4) return final ? message("Expiry") : "";
      var month = +digits.slice(0, 2), year = 2000 + +digits.slice(2, 4), now = new Date();
      if (month < 1 || month > 12) return message("Expiry");
      if (year < now.getFullYear() || (year === now.getFullYear() && month < now.getMonth() + 1)) return message("Expired");
      return "";
    }
    if (kind === "cvc") {
      if (digits.length === cvcLength(brand) || (!final && digits.length < cvcLength(brand))) return "";
      return message(brand === "amex" ? "CvcAmex" : "Cvc");
    }
    return "";
  }

  function show(input, final) {
    var text = problem(input, final), note = document.getElementById(input.id + "-check");
    if (note) note.textContent = text;
    input.setAttribute("aria-invalid", text ? "true" : "false");
    input.classList.toggle("field-invalid", !!text);
    return text;
  }

  function showBrand(form) {
    var note = form.querySelector("[data-card-brand]"), brand = formBrand(form);
    if (note) note.textContent = BRAND_NAMES[brand] || "";
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.dataset.card) return;
    var form = formOf(input), deleting = (event.inputType || "").indexOf("delete") === 0;
    var digits = digitsOf(input.value);
    if (input.dataset.card === "iban") {
      var iban = ibanOf(input.value).slice(0, 34), caret = input.selectionStart == null ? input.value.length
        : input.selectionStart, before = ibanOf(input.value.slice(0, caret)).length;
      var text = (iban.match(/.{1,4}/g) || []).join(" ");
      input.value = text;
      var position = Math.min(text.length, before + Math.floor(Math.max(0, before - 1) / 4));
      if (document.activeElement === input) input.setSelectionRange(position, position);
    } else if (input.dataset.card === "number") {
      var brand = brandOf(digits);
      setFormatted(input, grouped(digits.slice(0, maxDigits(brand)), brand));
      showBrand(form);
      var cvc = field(form, "cvc");
      if (cvc && cvc.value) show(cvc, document.activeElement !== cvc);  // its length follows the brand
    } else if (input.dataset.card === "expiry") {
      // An autofilled "12/2028" keeps its month and the year's last two digits.
      if (digits.length === 6 && /[^0-9]/.test(input.value)) digits = digits.slice(0, 2) + digits.slice(4, 6);
      var padded = digits.length === 1 && +digits > 1 ? 1 : 0;  // "4" becomes "04": the caret goes after the 4
      setFormatted(input, expiryText(digits.slice(0, 4), deleting), padded);
    } else if (input.dataset.card === "cvc") {
      input.value = digits.slice(0, cvcLength(formBrand(form)));
    }
    show(input, false);
  }, true);

  document.addEventListener("focusout", function (event) {
    var input = event.target;
    if (input instanceof HTMLInputElement && input.dataset.card && input.value) show(input, true);
  }, true);

  // "Payer" with a field known to be wrong: say so next to it, and send nothing.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.querySelector("[data-card]")) return;
    var wrong = null;
    form.querySelectorAll("[data-card]").forEach(function (input) { if (show(input, true) && !wrong) wrong = input; });
    if (wrong) { event.preventDefault(); event.stopPropagation(); wrong.focus(); }
  }, true);
})();

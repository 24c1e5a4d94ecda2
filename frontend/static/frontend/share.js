// The share button (frontend/partials/share.html): the phone's share sheet where there is one, else
// the copy button next to the link. Without this file the Zalo link and the link to copy still show.
(function () {
  "use strict";
  function copyText(input) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(input.value);
    }
    return new Promise(function (resolve, reject) {
      input.select();
      (document.execCommand && document.execCommand("copy")) ? resolve() : reject(new Error("copy"));
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-share]"), function (box) {
    var data = { title: box.getAttribute("data-title"), text: box.getAttribute("data-text"), url: box.getAttribute("data-url") };
    var native = box.querySelector(".share-native");
    var fallback = box.querySelector(".share-fallback");
    var input = box.querySelector(".share-link");
    var copy = box.querySelector(".share-copy");
    var status = box.querySelector(".share-copied");
    if (navigator.share && (!navigator.canShare || navigator.canShare(data))) {
      native.hidden = false;
      fallback.hidden = true;
      native.addEventListener("click", function () {
        navigator.share(data).catch(function (error) {
          if (error && error.name !== "AbortError") fallback.hidden = false; // refused: offer the others
        });
      });
    }
    copy.hidden = false;
    copy.addEventListener("click", function () {
      copyText(input).then(function () {
        status.textContent = box.getAttribute("data-copied");
      }, function () {
        input.select(); // the buyer copies it by hand
      });
    });
  });
})();

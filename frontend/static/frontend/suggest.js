// Suggestions under the header search box as the buyer types (the box works without this too).
(function () {
  "use strict";
  var input = document.getElementById("site-search");
  var list = document.getElementById("search-suggestions");
  if (!input || !list || !window.fetch) return;
  var timer = null;
  var asked = "";
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var query = input.value.trim();
      if (query.length < 2 || query === asked) return;
      asked = query;
      fetch(input.getAttribute("data-suggest") + "?q=" + encodeURIComponent(query))
        .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
        .then(function (data) {
          if (data.query.trim() !== input.value.trim()) return; // the buyer typed on
          list.textContent = "";
          data.suggestions.forEach(function (item) {
            var option = document.createElement("option");
            option.value = item.text;
            list.appendChild(option);
          });
        })
        .catch(function () { /* offline or slow: the box still searches on submit */ });
    }, 150);
  });
})();

// Tandem's only script, loaded from our own address: the Content-Security-Policy forbids inline script
// and on*= attributes, so behaviour is attached here from data-* attributes.
"use strict";

// <form data-confirm="Question?">: ask before submitting; Cancel keeps the page as it is.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form && form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// Buttons marked data-print print the page (the page's print styles hide navigation).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () {
    window.print();
  });
});
